import fs from 'node:fs/promises';
import path from 'node:path';
import { extractImage } from '../../../src/image/extract-image.js';
import type { ModePolicy } from '../../../src/archive/extract/layer-policy.js';
import { PrefixCache } from '../../../src/prefix-cache/prefix-cache.js';
import { dir, expect, file, hardlink, saveOf, streamOf, tarOf, tempDir } from '../../support/archive-fixtures.js';

/** Modes a layer may carry, special bits included. */
const MODES = [
  0o4755, 0o2755, 0o6755, 0o4700, 0o2711, 0o1777, 0o1755, 0o3777, 0o7777, 0o777, 0o755, 0o700, 0o600, 0o444, 0o311,
];
const SETID = 0o6000;

/**
 * Class 3 of issue 9: modes are never widened, kept exactly where the tree becomes part of an image again
 * (`exact`, the default), and without setuid/setgid (sticky kept) where it is only read or injected into a
 * build context (`no-setid`).
 */
describe('archive: modes (issue 9, class 3)', () => {
  let parent: string;
  const trees = new Map<string, string>();
  beforeEach(async () => {
    parent = await tempDir();
  });
  afterEach(() => fs.rm(parent, { recursive: true, force: true }));
  // One image with every mode, extracted once per policy for the matrix below.
  before(async () => {
    for (const policy of [undefined, 'no-setid'] as const)
      trees.set(policy ?? 'exact', await extracted(policy, await tempDir()));
  });
  after(() => Promise.all([...trees.values()].map((t) => fs.rm(path.dirname(t), { recursive: true, force: true }))));

  async function extracted(policy: ModePolicy | undefined, into: string): Promise<string> {
    const entries = [dir('./')];
    for (const mode of MODES) {
      entries.push(file(`f${mode.toString(8)}`, 'x', mode), dir(`d${mode.toString(8)}/`, mode));
    }
    const layer = await tarOf(entries);
    const target = path.join(into, 'out');
    await extractImage(streamOf(await saveOf([layer], { format: 'oci', gzip: true })), { target, modes: policy });
    return target;
  }
  const modeOf = async (p: string) => (await fs.lstat(p)).mode & 0o7777;

  for (const kind of ['f', 'd']) {
    for (const mode of MODES) {
      const name = `${kind}${mode.toString(8)}`;
      it(`${kind === 'f' ? 'file' : 'directory'} ${mode.toString(8).padStart(4, '0')}: exact by default, setid dropped by no-setid, never widened`, async () => {
        const exact = await modeOf(path.join(trees.get('exact') ?? '', name));
        const noSetid = await modeOf(path.join(trees.get('no-setid') ?? '', name));
        expect(exact.toString(8)).to.equal(mode.toString(8));
        expect(noSetid.toString(8)).to.equal((mode & ~SETID).toString(8));
        expect(noSetid & ~mode, 'bits added').to.equal(0);
      });
    }
  }

  it('keeps a setuid file setuid through a hardlink to it, and a later entry replacing it loses its mode', async () => {
    const layer = await tarOf([
      dir('./'),
      file('su', 'x', 0o4755),
      hardlink('su-link', 'su', 0o4755),
      file('gone', 'x', 0o4755),
      file('gone', 'plain', 0o644),
    ]);
    const target = path.join(parent, 'out');
    await extractImage(streamOf(await saveOf([layer], { format: 'legacy' })), { target });
    expect((await modeOf(path.join(target, 'su'))).toString(8)).to.equal('4755');
    expect((await fs.stat(path.join(target, 'su'))).ino).to.equal((await fs.stat(path.join(target, 'su-link'))).ino);
    expect((await modeOf(path.join(target, 'gone'))).toString(8)).to.equal('644');
  });

  it('keeps the modes of a layer applied over a lower one', async () => {
    const lower = await tarOf([dir('./'), dir('tmp/', 0o755), file('bin', 'x', 0o755)]);
    const upper = await tarOf([dir('./'), dir('tmp/', 0o1777), file('bin', 'y', 0o4755)]);
    const target = path.join(parent, 'out');
    await extractImage(streamOf(await saveOf([lower, upper], { format: 'docker25' })), { target });
    expect((await modeOf(path.join(target, 'tmp'))).toString(8)).to.equal('1777');
    expect((await modeOf(path.join(target, 'bin'))).toString(8)).to.equal('4755');
  });

  it('the prefix cache (build contexts, audit, verify) drops setuid and setgid but keeps the sticky bit', async () => {
    const layer = await tarOf([
      ...['.dapp/', '.dapp/deps/', '.dapp/deps/t/', '.dapp/deps/t/1/'].map((d) => dir(d)),
      file('.dapp/deps/t/1/sudo', 'x', 0o4755),
      dir('.dapp/deps/t/1/tmp/', 0o1777),
      dir('.dapp/deps/t/1/shared/', 0o2775),
    ]);
    const cache = new PrefixCache(
      {
        images: {
          inspect: async () => ({ id: 'sha256:bbb', labels: {}, size: 0 }),
          save: async () => streamOf(await saveOf([layer], { format: 'legacy' })),
        },
      },
      parent,
    );
    const { root } = await cache.get('x/t:1', '/.dapp/deps/t/1');
    const at = (p: string) => path.join(root.dir, '.dapp/deps/t/1', p);
    expect((await modeOf(at('sudo'))).toString(8)).to.equal('755');
    expect((await modeOf(at('tmp'))).toString(8)).to.equal('1777');
    expect((await modeOf(at('shared'))).toString(8)).to.equal('775');
  });
});
