import type { Writable } from 'node:stream';

/**
 * Writes every chunk of `source` into `sink` with backpressure, then ends it. When the sink fails (it is
 * destroyed: the consumer refused what it read), the rest of `source` is still read and dropped, so the
 * stream `source` belongs to moves on to its next member. An error of `source` itself rejects.
 */
export async function feedAll(source: AsyncIterable<Buffer>, sink: Writable): Promise<void> {
  for await (const chunk of source) {
    if (sink.destroyed) continue;
    if (!sink.write(chunk)) await drained(sink);
  }
  if (!sink.destroyed) sink.end();
}

/** Resolves when `sink` can take more, or will never take any. */
function drained(sink: Writable): Promise<void> {
  return new Promise((resolve) => {
    if (sink.destroyed) {
      resolve();
      return;
    }
    const done = () => {
      sink.off('drain', done).off('close', done);
      resolve();
    };
    sink.on('drain', done).on('close', done);
  });
}
