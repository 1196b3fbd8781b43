import { Readable } from 'node:stream';

/**
 * The first `size` bytes of a body (fewer if it is shorter) and a stream of all of it, head included, so a
 * member can be sniffed before deciding where its bytes go, buffering nothing but the head.
 */
export async function peek(source: AsyncIterable<Buffer>, size: number): Promise<{ head: Buffer; all: Readable }> {
  const iterator = source[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let length = 0;
  let ended = false;
  while (length < size && !ended) {
    const next = await iterator.next();
    if (next.done) ended = true;
    else {
      chunks.push(next.value);
      length += next.value.length;
    }
  }
  const head = Buffer.concat(chunks);
  async function* replay(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    while (!ended) {
      const next = await iterator.next();
      if (next.done) ended = true;
      else yield next.value;
    }
  }
  return { head, all: Readable.from(replay(), { objectMode: false }) };
}
