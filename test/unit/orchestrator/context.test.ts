import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import tarStream from 'tar-stream';
import { contentHash, type HashInput } from '../../../src/orchestrator/content-hash.js';
import { contextTar } from '../../../src/orchestrator/context-tar.js';
import { expect } from '../../support/expect.js';

async function listTar(
  stream: NodeJS.ReadableStream,
): Promise<Record<string, { type: string; mode: number; body: string; linkname?: string }>> {
  const extract = tarStream.extract();
  const entries: Record<string, { type: string; mode: number; body: string; linkname?: string }> = {};
  const done = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      const h = entry.header;
      entries[h.name] = {
        type: h.type ?? 'file',
        mode: (h.mode ?? 0) & 0o777,
        body: Buffer.concat(chunks).toString(),
        ...(h.linkname ? { linkname: h.linkname } : {}),
      };
    }
  })();
  stream.pipe(extract);
  await done;
  return entries;
}

describe('build context', () => {
  let tmp: string;
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-ctx-'));
    await mkdir(path.join(tmp, '.dapp/deps/tools/1.0/bin'), { recursive: true });
    await writeFile(path.join(tmp, '.dapp/deps/tools/1.0/bin/hello'), '#!/bin/sh\n', { mode: 0o755 });
    await symlink('hello', path.join(tmp, '.dapp/deps/tools/1.0/bin/hi'));
  });
  after(() => rm(tmp, { recursive: true, force: true }));

  it('packs rendered files (scripts executable) and injected trees under their folder, links kept', async () => {
    const files = new Map<string, string | Buffer>([
      ['Dockerfile', 'FROM scratch\n'],
      ['seal/seal.sh', '#!/bin/bash\n'],
    ]);
    const entries = await listTar(contextTar(files, [{ at: 'deps/tools', dir: tmp }]));
    expect(entries.Dockerfile).to.include({ type: 'file', mode: 0o644, body: 'FROM scratch\n' });
    expect(entries['seal/seal.sh']?.mode).to.equal(0o755);
    expect(entries['deps/tools/.dapp/deps/tools/1.0/bin/hello']).to.include({ type: 'file', body: '#!/bin/sh\n' });
    expect(entries['deps/tools/.dapp/deps/tools/1.0/bin/hi']).to.include({ type: 'symlink', linkname: 'hello' });
  });

  describe('content hash', () => {
    const base: HashInput = {
      strategy: 'binary',
      baseImage: 'debian:bookworm',
      manifest: { name: 'a' },
      files: new Map([['Dockerfile', 'x']]),
      deps: { toolchain: 'h1' },
    };
    const variants: [string, HashInput][] = [
      ['strategy', { ...base, strategy: 'source' }],
      ['base image', { ...base, baseImage: 'debian:trixie' }],
      ['manifest', { ...base, manifest: { name: 'b' } }],
      ['a file', { ...base, files: new Map([['Dockerfile', 'y']]) }],
      ['a file name', { ...base, files: new Map([['Dockerfile2', 'x']]) }],
      ["a dependency's hash", { ...base, deps: { toolchain: 'h2' } }],
    ];
    it('is stable for the same input, whatever the file order', () => {
      const reordered = {
        ...base,
        files: new Map([
          ['b', '2'],
          ['a', '1'],
        ]),
      };
      const ordered = {
        ...base,
        files: new Map([
          ['a', '1'],
          ['b', '2'],
        ]),
      };
      expect(contentHash(reordered)).to.equal(contentHash(ordered));
      expect(contentHash(base)).to.match(/^[0-9a-f]{64}$/);
    });
    for (const [what, changed] of variants) {
      it(`changes when ${what} changes`, () => expect(contentHash(changed)).not.to.equal(contentHash(base)));
    }
  });
});
