import { PassThrough } from 'node:stream';

/**
 * Two streams that each carry all of `source`, read at the pace of the slower (a reader that stops, by
 * destroying its stream, is let go); an error of `source` fails both.
 */
export function tee(source: NodeJS.ReadableStream): [PassThrough, PassThrough] {
  const outs: [PassThrough, PassThrough] = [new PassThrough(), new PassThrough()];
  source.on('error', (err: Error) => {
    for (const out of outs) out.destroy(err);
  });
  for (const out of outs) {
    out.on('error', () => undefined); // each reader hears of it through its own pipeline, while it listens
    source.pipe(out);
  }
  return outs;
}
