/** What a member of a save archive holds, judged by its first bytes (names and media types can lie). */
export type BlobKind = 'gzip' | 'zstd' | 'tar' | 'json' | 'other';

/** Bytes sniff needs: one tar header block. */
export const SNIFF_BYTES = 512;

export function sniff(head: Buffer): BlobKind {
  if (head.length >= 2 && head.readUInt16BE(0) === 0x1f8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32BE(0) === 0x28b52ffd) return 'zstd';
  if (isTarHeader(head)) return 'tar';
  const first = head.toString('latin1').trimStart()[0];
  return first === '{' || first === '[' ? 'json' : 'other';
}

/** A valid ustar/v7 header checksum, or the all-zero end block that is all an empty layer holds. */
function isTarHeader(head: Buffer): boolean {
  if (head.length < 512) return false;
  let sum = 0;
  let zero = true;
  for (let i = 0; i < 512; i++) {
    const byte = head.readUInt8(i);
    if (byte !== 0) zero = false;
    sum += i >= 148 && i < 156 ? 0x20 : byte; // the checksum field counts as spaces
  }
  if (zero) return true;
  const stored = parseInt(head.toString('latin1', 148, 156).replace(/\0.*$/, '').trim(), 8);
  return sum === stored;
}
