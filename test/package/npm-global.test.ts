import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { expect } from '../support/expect.js';
import { repoRoot } from '../support/paths.js';

const run = promisify(execFile);
const USER = 'dappdeps-npm-user';

/** Every file under `dir` with its size and modification time: what an installation holds. */
async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { recursive: true })) {
    const s = await stat(path.join(dir, entry)).catch(() => undefined);
    out.push(`${entry} ${s?.size ?? '-'} ${s?.mtimeMs ?? '-'}`);
  }
  return out.sort();
}

/**
 * `npm run test:package` (about 6 minutes: npm installs twice), apart from the CI suite. As a user gets dappdeps: `npm pack` of a clean clone (nothing installed), `npm i -g` of the tarball, then a
 * non-root user (in the docker group) runs render, build and verify from an empty folder. Nothing is written
 * under the installation; outputs go to the current folder, caches to the user's ~/.cache/dappdeps.
 */
describe('an npm-global install used by a non-root user', function () {
  this.timeout(1_800_000);
  let tmp: string;
  let tarball: string;
  let installed: string;
  let installedFiles: string[];
  let home: string;
  let cwd: string;
  const engine = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  const asUser = (...args: string[]) =>
    run(
      'runuser',
      [
        '-u',
        USER,
        '--',
        'env',
        `HOME=${home}`,
        `DOCKER_HOST=${engine}`,
        'CI=1',
        path.join(tmp, 'global/bin/dappdeps'),
        ...args,
      ],
      { cwd, maxBuffer: 64 * 1024 * 1024 },
    ).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({
        code: e.code ?? -1,
        stdout: e.stdout ?? '',
        stderr: e.stderr ?? '',
      }),
    );

  before(async () => {
    await new Docker().ping(); // no engine: fail here, loudly, never skip
    expect(process.getuid?.(), 'the test makes a user and installs globally: run it as root').to.equal(0);
    tmp = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-npm-global-'));
    await chmod(tmp, 0o755);
    await run('git', ['clone', '--quiet', repoRoot, path.join(tmp, 'clone')]);
    const packed = await run('npm', ['pack', '--silent', '--pack-destination', tmp], {
      cwd: path.join(tmp, 'clone'),
      maxBuffer: 64 * 1024 * 1024,
    });
    tarball = path.join(tmp, packed.stdout.trim().split('\n').pop() ?? '');
    await run('npm', ['i', '-g', '--prefix', path.join(tmp, 'global'), '--no-audit', '--no-fund', tarball]);
    installed = path.join(tmp, 'global/lib/node_modules/dappdeps');
    installedFiles = await snapshot(installed);
    await run('bash', ['-c', `id ${USER} >/dev/null 2>&1 || useradd --no-create-home --shell /bin/sh ${USER}`]);
    await run('usermod', ['-aG', 'docker', USER]); // the engine's socket is the docker group's
    home = path.join(tmp, 'home');
    cwd = path.join(home, 'empty');
    await mkdir(cwd, { recursive: true });
    const { stdout: uid } = await run('id', ['-u', USER]);
    for (const dir of [home, cwd]) await chown(dir, Number(uid.trim()), 0);
  });
  after(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('packs from a clean clone: LICENSE, the engine set-up script, source maps with their sources', async () => {
    const { stdout } = await run('tar', ['tzf', tarball]);
    const files = stdout.split('\n').filter(Boolean);
    expect(files).to.include.members([
      'package/LICENSE',
      'package/scripts/ensure-engine.sh',
      'package/bin/dappdeps.js',
    ]);
    const maps = files.filter((f) => f.endsWith('.js.map'));
    expect(maps.length).to.be.greaterThan(10);
    for (const map of maps) {
      const source = map.replace(/^package\/dist\//, 'package/src/').replace(/\.js\.map$/, '.ts');
      expect(files, map).to.include(source);
    }
  });

  it('render writes images/ into the current folder', async () => {
    const rendered = await asUser('render');
    expect(rendered.code, rendered.stderr).to.equal(0);
    expect(rendered.stdout).to.contain(`into ${path.join(cwd, 'images')}`);
    expect(await readdir(path.join(cwd, 'images'))).to.include.members(['base', 'toolchain']);
  });

  it('build and verify work, their caches in ~/.cache/dappdeps', async () => {
    const built = await asUser('build');
    expect(built.code, built.stderr).to.equal(0);
    const verified = await asUser('verify', 'base');
    expect(verified.code, `${verified.stdout}\n${verified.stderr}`).to.equal(0);
    expect(await readdir(path.join(home, '.cache/dappdeps/prefixes'))).not.to.deep.equal([]);
  });

  it('a folder the user cannot write is one line naming the option to use', async () => {
    const denied = await asUser('build', '--work-dir', path.join(installed, 'work'));
    expect(denied.code).to.equal(1);
    expect(denied.stderr).to.equal(
      `dappdeps: cannot write to ${path.join(installed, 'work')} (EACCES)\n  hint: give --work-dir DIR, a folder you can write\n`,
    );
  });

  it('wrote nothing under the installation', async () => {
    expect(await snapshot(installed)).to.deep.equal(installedFiles);
  });
});
