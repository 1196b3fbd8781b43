import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../../src/cli/main.js';
import { captureOutput } from '../../support/capture-output.js';
import { expect } from '../../support/expect.js';
import { realDistroDir } from '../../support/paths.js';

describe('cli', () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-cli-'));
  });
  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('plans the shipped distro in rounds', async () => {
    const output = captureOutput();
    expect(await main(['plan', '--distro', realDistroDir], output)).to.equal(0);
    expect(output.stdout).to.deep.equal(['round 1: toolchain', 'round 2: ansible, base, chefdk, git']);
  });

  it('plans as JSON with both dependency kinds', async () => {
    const output = captureOutput();
    expect(await main(['plan', '--json', '--distro', realDistroDir], output)).to.equal(0);
    const plan = JSON.parse(output.stdout.join('')) as {
      rounds: string[][];
      images: Record<string, { run: string[]; build: string[] }>;
    };
    expect(plan.rounds[0]).to.deep.equal(['toolchain']);
    expect(plan.images.ansible?.run).to.deep.equal(['git', 'base']);
    expect(plan.images.chefdk?.build).to.deep.equal(['toolchain']);
  });

  it('validates and reports the image count', async () => {
    const output = captureOutput();
    expect(await main(['validate', '--distro', realDistroDir], output)).to.equal(0);
    expect(output.stdout.join('')).to.contain('5 images valid');
  });

  it('renders named images only, into --out', async () => {
    const output = captureOutput();
    expect(await main(['render', 'toolchain', '--distro', realDistroDir, '--out', tmp], output)).to.equal(0);
    expect(await readdir(tmp)).to.deep.equal(['toolchain']);
    expect(await readFile(path.join(tmp, 'toolchain/source/Dockerfile'), 'utf8')).to.contain('FROM scratch');
  });

  it('a full render removes image folders the distro no longer has', async () => {
    await writeFile(path.join(tmp, 'leftover'), 'x');
    expect(await main(['render', '--distro', realDistroDir, '--out', tmp], captureOutput())).to.equal(0);
    expect(await readdir(tmp)).to.deep.equal(['ansible', 'base', 'chefdk', 'git', 'toolchain']);
  });

  it('exits 2 on an unknown image, naming the known ones', async () => {
    const output = captureOutput();
    expect(await main(['render', 'nope', '--distro', realDistroDir, '--out', tmp], output)).to.equal(2);
    expect(output.stderr.join('')).to.contain('unknown image "nope"; known: ansible, base, chefdk, git, toolchain');
  });

  it('exits 2 on an unknown command or option', async () => {
    expect(await main(['frobnicate'], captureOutput())).to.equal(2);
    expect(await main(['plan', '--bogus'], captureOutput())).to.equal(2);
  });

  it('exits 2 when the distro folder has no distro.yaml', async () => {
    const output = captureOutput();
    expect(await main(['validate', '--distro', tmp], output)).to.equal(2);
    expect(output.stderr.join('')).to.contain('has no distro.yaml');
  });

  it('prints per-command help and exits 0', async () => {
    const output = captureOutput();
    expect(await main(['render', '--help'], output)).to.equal(0);
    expect(output.stdout.join('')).to.contain('--distro <dir>');
  });
});
