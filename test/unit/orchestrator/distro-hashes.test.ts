import { appendFile, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadDistro } from '../../../src/manifest/load-distro.js';
import { contentHashes } from '../../../src/orchestrator/build-distro.js';
import { expect } from '../../support/expect.js';
import { realDistroDir, repoRoot } from '../../support/paths.js';

/**
 * The real distro's content hashes, as `build` computes them: what decides whether an image is rebuilt. Same
 * inputs must give the same hashes (a refactor or a builder switch rebuilds nothing); a change to a manifest,
 * a template or the lock must change the hash of each image it touches and of their dependents, and no other.
 */
describe("the real distro's content hashes", function () {
  this.timeout(60_000);
  let tmp: string;
  let dir: string;
  let templates: string;

  beforeEach(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-hashes-'));
    dir = path.join(tmp, 'distro');
    templates = path.join(dir, 'templates');
    await cp(realDistroDir, dir, { recursive: true });
    await cp(path.join(repoRoot, 'templates'), templates, { recursive: true });
    await appendFile(path.join(dir, 'distro.yaml'), '\ntemplates: templates\n');
  });
  afterEach(() => rm(tmp, { recursive: true, force: true }));

  const hashes = async (builder: 'classic' | 'buildkit' = 'classic') =>
    Object.fromEntries(await contentHashes(await loadDistro(dir), 'binary', builder));
  /** The images whose hash differs between two sets of hashes. */
  const changed = (a: Record<string, string>, b: Record<string, string>) =>
    Object.keys(a).filter((name) => a[name] !== b[name]);
  const edit = async (file: string, change: (text: string) => string) => {
    const text = await readFile(file, 'utf8');
    const edited = change(text);
    expect(edited, `${file} edited`).to.not.equal(text);
    await writeFile(file, edited);
  };

  it('are the same for the same inputs, loaded twice, copied elsewhere, or built with BuildKit', async () => {
    const first = await hashes();
    expect(Object.keys(first).sort()).to.deep.equal(['ansible', 'base', 'git', 'toolchain']);
    for (const hash of Object.values(first)) expect(hash).to.match(/^[0-9a-f]{64}$/);
    expect(await hashes()).to.deep.equal(first);
    expect(await hashes('buildkit')).to.deep.equal(first);
    // The shipped distro with its own templates: the folder it sits in is not part of what an image is.
    expect(Object.fromEntries(await contentHashes(await loadDistro(realDistroDir), 'binary'))).to.deep.equal(first);
  });

  it('ignore a comment in a manifest', async () => {
    const before = await hashes();
    await edit(path.join(dir, 'base.yaml'), (t) => `${t}\n# a comment changes nothing of the image\n`);
    expect(changed(before, await hashes())).to.deep.equal([]);
  });

  it("change with a manifest's content: that image, or every image when it is everyone's build dependency", async () => {
    const before = await hashes();
    await edit(path.join(dir, 'base.yaml'), (t) => t.replace(/^description: .*$/m, 'description: changed'));
    const afterBase = await hashes();
    expect(changed(before, afterBase)).to.deep.equal(['base']);
    await edit(path.join(dir, 'toolchain.yaml'), (t) => t.replace(/^description: .*$/m, 'description: changed'));
    expect(changed(afterBase, await hashes()).sort()).to.deep.equal(['ansible', 'base', 'git', 'toolchain']);
  });

  it('change with a template of the binary strategy: every sealed image', async () => {
    const before = await hashes();
    await edit(path.join(templates, 'binary/seal/seal.sh'), (t) => `${t}\n# changed\n`);
    expect(changed(before, await hashes()).sort()).to.deep.equal(['ansible', 'base', 'git', 'toolchain']);
  });

  it('change with the lock: the images that install a package whose version changed', async () => {
    const before = await hashes();
    type Lock = { images: Record<string, { packages: string[] }>; packages: Record<string, { version: string }> };
    let users: string[] = [];
    await edit(path.join(dir, 'distro.lock'), (t) => {
      const lock = JSON.parse(t) as Lock;
      const git = lock.packages.git;
      if (!git) throw new Error('the lock has no git package');
      git.version = `${git.version}+changed`;
      users = Object.keys(lock.images).filter((name) => lock.images[name]?.packages.includes('git'));
      return `${JSON.stringify(lock, null, 2)}\n`;
    });
    expect(users).to.deep.equal(['git']);
    expect(changed(before, await hashes())).to.deep.equal(users);
  });
});
