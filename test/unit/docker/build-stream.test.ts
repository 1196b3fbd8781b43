import { PassThrough } from 'node:stream';
import { BuildError } from '../../../src/errors.js';
import { BuildStreamParser, TAIL_LINES, buildFailure } from '../../../src/docker/build-stream-parser.js';
import { readProgressStream } from '../../../src/docker/read-progress-stream.js';
import { expect } from '../../support/expect.js';

const IMAGE = 'dappdeps/demo:1.0';
const ID = `sha256:${'ab'.repeat(32)}`;
const json = (...objects: object[]): string => objects.map((o) => `${JSON.stringify(o)}\n`).join('');

function parser(): { parser: BuildStreamParser; lines: string[] } {
  const lines: string[] = [];
  return { parser: new BuildStreamParser(({ text }) => lines.push(text), buildFailure(IMAGE)), lines };
}

/** Feeds `chunks` to a fresh parser and ends it: the lines seen, and the id (or the error thrown). */
function parse(...chunks: (string | Buffer)[]): { lines: string[]; id?: string; error?: unknown } {
  const { parser: p, lines } = parser();
  try {
    for (const chunk of chunks) p.feed(chunk);
    return { lines, id: p.end() };
  } catch (error) {
    return { lines, error };
  }
}

describe('docker build stream parser', () => {
  const success = json(
    { stream: 'Step 1/2 : FROM scratch\n' },
    { stream: ' ---> \n' },
    { stream: 'Step 2/2 : COPY f /f\n' },
    { stream: ' ---> 1234567890ab\n' },
    { aux: { ID } },
    { stream: 'Successfully built 1234567890ab\n' },
    { stream: `Successfully tagged ${IMAGE}\n` },
  );

  it("names the image, the reason and the build's log file in a failure", () => {
    const error = buildFailure(IMAGE, '/var/log/b.log')('exit 3', ['last line']);
    expect(error).to.be.instanceOf(BuildError).and.to.include({ image: IMAGE, logFile: '/var/log/b.log' });
    expect(error.message).to.equal(`build of ${IMAGE} failed: exit 3\n  full log: /var/log/b.log`);
  });

  it('decodes each stream line and takes the id from aux.ID', () => {
    const { lines, id } = parse(success);
    expect(id).to.equal(ID);
    expect(lines).to.deep.equal([
      'Step 1/2 : FROM scratch',
      ' ---> ',
      'Step 2/2 : COPY f /f',
      ' ---> 1234567890ab',
      'Successfully built 1234567890ab',
      `Successfully tagged ${IMAGE}`,
    ]);
  });

  it('reassembles objects split across chunks, even inside a multi-byte character', () => {
    const bytes = Buffer.from(success + json({ stream: 'déjà vu\n' }));
    const chunks = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) => bytes.subarray(i * 7, i * 7 + 7));
    expect(parse(...chunks)).to.deep.equal({ ...parse(bytes), id: ID });
    expect(parse(...chunks).lines.at(-1)).to.equal('déjà vu');
  });

  it('handles several objects in one chunk and a last object without newline', () => {
    const { lines, id } = parse(`${json({ stream: 'a\n' }, { stream: 'b\n' })}{"aux":{"ID":"${ID}"}}`);
    expect(lines).to.deep.equal(['a', 'b']);
    expect(id).to.equal(ID);
  });

  it('joins command output sent in pieces into lines and keeps the unterminated rest', () => {
    const { lines } = parse(
      json({ stream: 'hel' }, { stream: 'lo\nwor' }, { stream: 'ld\r\n\n' }, { stream: 'no newline' }),
    );
    expect(lines).to.deep.equal(['hello', 'world', 'no newline']);
  });

  it('reports status lines with their id', () => {
    expect(parse(json({ status: 'Pulling fs layer', id: 'abc' }, { status: 'Done' })).lines).to.deep.equal([
      'abc: Pulling fs layer',
      'Done',
    ]);
  });

  it('falls back to "Successfully built <id>" when no aux.ID comes', () => {
    expect(parse(json({ stream: 'Successfully built 0123456789ab\n' })).id).to.equal('0123456789ab');
  });

  it('reports no id when the stream has none (the reader decides whether that is an error)', () => {
    const { id, error } = parse(json({ stream: 'Step 1/1 : FROM scratch\n' }));
    expect([id, error]).to.deep.equal([undefined, undefined]);
  });

  it('fails on an errorDetail object with its message, naming the image and carrying the tail', () => {
    const { error } = parse(
      json({ stream: 'Step 1/1 : RUN false\n' }, { stream: ' ---> Running in 0123\n' }),
      json({
        errorDetail: { code: 1, message: "The command '/bin/sh -c false' returned a non-zero code: 1" },
        error: 'ignored when errorDetail has a message',
      }),
    );
    expect(error).to.be.instanceOf(BuildError);
    const buildError = error as BuildError;
    expect(buildError.image).to.equal(IMAGE);
    expect(buildError.message).to.equal(
      `build of ${IMAGE} failed: The command '/bin/sh -c false' returned a non-zero code: 1`,
    );
    expect(buildError.logTail).to.deep.equal(['Step 1/1 : RUN false', ' ---> Running in 0123']);
  });

  it('fails on a bare error object, with unterminated output in the tail', () => {
    const { error } = parse(json({ stream: 'partial output' }, { error: 'no space left on device' }));
    expect((error as BuildError).message).to.match(/no space left on device$/);
    expect((error as BuildError).logTail).to.deep.equal(['partial output']);
  });

  it('keeps only the last lines in the tail', () => {
    const many = Array.from({ length: TAIL_LINES + 5 }, (_, i) => ({ stream: `line ${i}\n` }));
    const { error } = parse(json(...many, { error: 'boom' }));
    expect((error as BuildError).logTail).to.have.length(TAIL_LINES);
    expect((error as BuildError).logTail[0]).to.equal('line 5');
  });

  for (const [name, line] of [
    ['text that is not JSON', 'Internal Server Error'],
    ['truncated JSON', '{"stream":"abc'],
    ['a JSON value that is not an object', '"just a string"'],
  ] as const) {
    it(`fails on a malformed line: ${name}`, () => {
      const { error } = parse(json({ stream: 'before\n' }), `${line}\n`, json({ aux: { ID } }));
      expect(error).to.be.instanceOf(BuildError);
      expect((error as BuildError).message)
        .to.include('malformed line from the engine')
        .and.include(line);
      expect((error as BuildError).logTail).to.deep.equal(['before']);
    });
  }

  it('fails on a malformed last line without newline', () => {
    expect(parse(json({ aux: { ID } }), '{"stream":').error).to.be.instanceOf(BuildError);
  });
});

describe('reading a docker progress stream', () => {
  const read = (stream: PassThrough, extra: { idleTimeoutMs?: number; signal?: AbortSignal } = {}) =>
    readProgressStream(stream, { onLine: () => {}, fail: buildFailure(IMAGE), requireId: true, ...extra });

  it('resolves with the id once the stream ends', async () => {
    const stream = new PassThrough();
    const reading = read(stream);
    stream.write('{"stream":"Step 1/1\\n"}\n{"aux":');
    stream.end(`{"ID":"${ID}"}}\n`);
    expect(await reading).to.equal(ID);
  });

  it('rejects a stream that ends without an image id', async () => {
    const stream = new PassThrough();
    const reading = read(stream);
    stream.end(json({ stream: 'Step 1/1 : FROM scratch\n' }));
    await expect(reading).to.be.rejectedWith(BuildError, 'without reporting an image id');
  });

  it('rejects on an error line and destroys the stream (closing the request)', async () => {
    const stream = new PassThrough();
    const reading = read(stream);
    stream.write(json({ errorDetail: { message: 'boom' } }));
    await expect(reading).to.be.rejectedWith(BuildError, `build of ${IMAGE} failed: boom`);
    expect(stream.destroyed).to.equal(true);
  });

  it('rejects on a stream error, keeping it as the cause', async () => {
    const stream = new PassThrough();
    const reading = read(stream);
    stream.write(json({ stream: 'working\n' }));
    const cause = new Error('socket hang up');
    stream.destroy(cause);
    const error = (await expect(reading).to.be.rejectedWith(BuildError, 'socket hang up')) as unknown as BuildError;
    expect(error.cause).to.equal(cause);
    expect(error.logTail).to.deep.equal(['working']);
  });

  it('rejects when the stream closes before its end', async () => {
    const stream = new PassThrough();
    const reading = read(stream);
    stream.destroy();
    await expect(reading).to.be.rejectedWith(BuildError, 'closed the stream before its end');
  });

  it('rejects when the engine stays silent longer than the idle timeout', async () => {
    const stream = new PassThrough();
    const reading = read(stream, { idleTimeoutMs: 30 });
    stream.write(json({ stream: 'Step 1/1 : RUN sleep 3600\n' }));
    await expect(reading).to.be.rejectedWith(BuildError, 'no output from the engine for 30 ms');
    expect(stream.destroyed).to.equal(true);
  });

  it('keeps waiting while output keeps coming', async () => {
    const stream = new PassThrough();
    const reading = read(stream, { idleTimeoutMs: 200 });
    for (let i = 0; i < 5; i++) {
      stream.write(json({ stream: `tick ${i}\n` }));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    stream.end(json({ aux: { ID } }));
    expect(await reading).to.equal(ID);
  });

  it('rejects on abort and destroys the stream', async () => {
    const stream = new PassThrough();
    const controller = new AbortController();
    const reading = read(stream, { signal: controller.signal });
    controller.abort(new Error('user pressed ^C'));
    await expect(reading).to.be.rejectedWith(BuildError, 'aborted');
    expect(stream.destroyed).to.equal(true);
  });

  it('rejects at once when already aborted', async () => {
    await expect(read(new PassThrough(), { signal: AbortSignal.abort() })).to.be.rejectedWith(BuildError, 'aborted');
  });

  it('without requireId resolves with undefined (pull, import)', async () => {
    const stream = new PassThrough();
    const reading = readProgressStream(stream, { onLine: () => {}, fail: buildFailure(IMAGE) });
    stream.end(json({ status: 'sha256:abc' }));
    expect(await reading).to.equal(undefined);
  });
});
