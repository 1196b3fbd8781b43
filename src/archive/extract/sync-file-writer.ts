import fs from 'node:fs';
import { Writable } from 'node:stream';

/** O_NOFOLLOW: tar-fs unlinks a symlink in the way first; this makes sure no file is written through one. */
const CREATE = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_NOFOLLOW;

/** fs.createWriteStream's counterpart for LayerFs: opens, writes and closes synchronously. */
export class SyncFileWriter extends Writable {
  private fd: number | undefined;

  constructor(private readonly file: string) {
    super();
  }

  override _construct(cb: (err?: Error | null) => void): void {
    try {
      this.fd = fs.openSync(this.file, CREATE, 0o666);
      cb();
    } catch (err) {
      cb(err as Error);
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, cb: (err?: Error | null) => void): void {
    try {
      for (let done = 0; done < chunk.length;) done += fs.writeSync(this.fd as number, chunk, done);
      cb();
    } catch (err) {
      cb(err as Error);
    }
  }

  // Called after finishing too (autoDestroy), so the file is closed before 'close', which tar-fs waits for.
  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    try {
      if (this.fd !== undefined) fs.closeSync(this.fd);
      this.fd = undefined;
      cb(err);
    } catch (closeErr) {
      cb(err ?? (closeErr as Error));
    }
  }
}
