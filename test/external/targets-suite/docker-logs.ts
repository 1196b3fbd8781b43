/**
 * The text of a non-TTY container's log buffer: the engine frames stdout and stderr as
 * [stream, 0, 0, 0, size (4 bytes, big-endian)] + payload; the frames are joined in order.
 */
export function demuxLogs(buffer: Buffer): string {
  const parts: Buffer[] = [];
  let at = 0;
  while (at + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(at + 4);
    parts.push(buffer.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}
