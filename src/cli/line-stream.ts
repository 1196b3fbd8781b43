import { Writable } from 'node:stream';

/** A stream that hands each complete line written to it to `onLine` (the rest when it ends). */
export function lineStream(onLine: (line: string) => void): Writable {
  let partial = '';
  return new Writable({
    decodeStrings: false,
    write(chunk: Buffer | string, _encoding, done) {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line);
      done();
    },
    final(done) {
      if (partial !== '') onLine(partial);
      done();
    },
  });
}
