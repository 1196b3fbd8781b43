import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { BuildError } from '../../../src/errors.js';
import { BuildStreamParser, buildFailure } from '../../../src/docker/build-stream-parser.js';
import { BUILDKIT_TRACE_ID } from '../../../src/docker/buildkit-trace.js';
import { expect } from '../../support/expect.js';
import { fixturesDir } from '../../support/paths.js';

/** Feeds a whole stream to a fresh parser: the lines seen, and the error it threw at the end (if any). */
function parse(stream: string): { lines: string[]; error?: unknown } {
  const lines: string[] = [];
  const parser = new BuildStreamParser(({ text }) => lines.push(text), buildFailure('user/app:1'));
  try {
    parser.feed(stream);
    parser.end();
    return { lines };
  } catch (error) {
    return { lines, error };
  }
}

describe('BuildKit progress in the build stream parser', () => {
  it("decodes a failed RUN's steps and output (recorded from dockerd 20.10) and fails with them", async () => {
    // `RUN ["/bin/busybox","sh","-c","echo hello-out; echo err >&2; exit 3"]` in the busybox target.
    const { lines, error } = parse(await readFile(path.join(fixturesDir, 'buildkit/failed-run.jsonl'), 'utf8'));
    expect(lines).to.include('[2/2] RUN ["/bin/busybox","sh","-c","echo hello-out; echo err >&2; exit 3"]');
    expect(lines).to.include.members(['hello-out', 'err']);
    expect(lines.filter((l) => l.startsWith('[2/2] RUN'))).to.have.length(1); // named once, sent many times
    expect(error).to.be.instanceOf(BuildError);
    const failure = error as BuildError;
    expect(failure.message).to.contain('exit code: 3');
    expect(failure.logTail).to.include.members(['hello-out', 'err']);
  });

  it('rejects a trace that is not a BuildKit status', () => {
    const { error } = parse(
      `${JSON.stringify({ id: BUILDKIT_TRACE_ID, aux: Buffer.from([0x0a, 0xff]).toString('base64') })}\n`,
    );
    expect(error).to.be.instanceOf(BuildError);
    expect((error as Error).message).to.contain('malformed BuildKit trace');
  });
});
