import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import tarStream from 'tar-stream';
import { CHECKSUMS_MEMBER, checkBundle, writeBundle } from '../../../src/publish/bundle.js';
import { expect } from '../../support/expect.js';
import { collect, saveStream } from './save-stream.js';

describe('publish: bundles (a docker save archive with checksums)', () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'dappdeps-bundle-'));
  });
  afterEach(() => fs.rm(tmp, { recursive: true, force: true }));

  const layers = [[{ name: 'a', body: 'hello' }], [{ name: 'b', body: 'world' }]];

  /** The bundle's members rewritten by `change` (name, bytes) -> bytes, or dropped when it returns undefined. */
  async function rewrite(from: string, change: (name: string, bytes: Buffer) => Buffer | undefined): Promise<string> {
    const to = path.join(tmp, 'changed.tar');
    const pack = tarStream.pack();
    for await (const entry of Readable.from(await fs.readFile(from)).pipe(tarStream.extract())) {
      const bytes = await collect(entry);
      const changed = change(entry.header.name, bytes);
      if (changed !== undefined) pack.entry({ ...entry.header, size: changed.length }, changed);
    }
    pack.finalize();
    await fs.writeFile(to, await collect(pack));
    return to;
  }

  it('writes every member and the checksums; checking it finds the image by name and id', async () => {
    const file = path.join(tmp, 'b.tar');
    const images = await writeBundle(await saveStream(layers), file);
    expect(images).to.have.length(1);
    expect(images[0]?.names).to.deep.equal(['test/image:1']);
    const checked = await checkBundle(file);
    expect(checked.images).to.deep.equal(images);
    expect(checked.members).to.equal(4);
  });

  it('refuses a changed layer, a missing member and a missing checksum file', async () => {
    const file = path.join(tmp, 'b.tar');
    await writeBundle(await saveStream(layers), file);
    const flip = (b: Buffer) => Buffer.from(b.map((x, i) => (i === 0 ? x ^ 1 : x)));
    const changed = await rewrite(file, (name, b) => (name.endsWith('layer.tar') ? flip(b) : b));
    await expect(checkBundle(changed)).to.be.rejectedWith(
      /does not match its checksums; nothing was loaded:\n {2}\S+layer\.tar: checksum/,
    );
    const dropped = await rewrite(file, (name, b) =>
      name.endsWith('.json') && name !== 'manifest.json' && name !== CHECKSUMS_MEMBER ? undefined : b,
    );
    await expect(checkBundle(dropped)).to.be.rejectedWith(/\.json: missing/);
    const unsigned = await rewrite(file, (name, b) => (name === CHECKSUMS_MEMBER ? undefined : b));
    await expect(checkBundle(unsigned)).to.be.rejectedWith(/has no dappdeps-checksums\.json/);
  });

  it('refuses a tampered layer whose checksum was rewritten to match: the image reader checks its diff_id', async () => {
    const file = path.join(tmp, 'b.tar');
    await writeBundle(await saveStream(layers), file);
    const flip = (b: Buffer) => Buffer.from(b.map((x, i) => (i === 512 ? x ^ 1 : x))); // file content, not a header
    const sums = new Map<string, Buffer>();
    const tampered = await rewrite(file, (name, b) => {
      if (!name.endsWith('layer.tar')) return b;
      const changed = flip(b);
      sums.set(name, changed);
      return changed;
    });
    const forged = await rewrite(tampered, (name, b) => {
      if (name !== CHECKSUMS_MEMBER) return b;
      const record = JSON.parse(b.toString()) as { members: Record<string, string> };
      for (const [member, body] of sums)
        record.members[member] = `sha256:${createHash('sha256').update(body).digest('hex')}`;
      return Buffer.from(JSON.stringify(record));
    });
    await expect(checkBundle(forged)).to.be.rejectedWith(/does not match the image config/);
  });

  it('refuses what is not a tar archive', async () => {
    const file = path.join(tmp, 'junk');
    await fs.writeFile(file, 'not a tar'.repeat(100));
    await expect(checkBundle(file)).to.be.rejectedWith(/not a readable tar archive|has no dappdeps-checksums/);
  });
});
