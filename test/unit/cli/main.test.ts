import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import createDebug from 'debug';
import { main } from '../../../src/cli/main.js';
import { captureOutput } from '../../support/capture-output.js';
import { expect } from '../../support/expect.js';
import { realDistroDir, repoRoot } from '../../support/paths.js';
import { setEnv } from '../../support/env.js';

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

  it('prints the package version', async () => {
    const output = captureOutput();
    expect(await main(['--version'], output)).to.equal(0);
    const { version } = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    expect(output.stdout.join('').trim()).to.equal(version);
  });

  it('with --json, prints manifest problems as objects', async () => {
    await writeFile(path.join(tmp, 'distro.yaml'), await readFile(path.join(realDistroDir, 'distro.yaml')));
    await writeFile(
      path.join(tmp, 'demo.yaml'),
      'name: demo\nverison: "1"\ndescription: d\nbinary: { packages: [bash] }\n',
    );
    const output = captureOutput();
    expect(await main(['validate', '--json', '--distro', tmp], output)).to.equal(2);
    const event = JSON.parse(output.stdout.join('')) as { problems: unknown[] };
    expect(event).to.include({ event: 'error', kind: 'ManifestError', error: 'invalid manifests (2 problems)' });
    expect(event.problems).to.deep.include({
      file: path.join(tmp, 'demo.yaml'),
      line: 2,
      column: 1,
      field: 'verison',
      message: 'unknown field "verison" (did you mean "version"?)',
    });
  });

  describe('errors', () => {
    const noEngine = 'unix:///nonexistent/dappdeps-cli-test.sock';
    let restoreEnv: () => void = () => undefined;
    beforeEach(() => {
      restoreEnv = setEnv({ DOCKER_HOST: noEngine });
    });
    afterEach(() => restoreEnv());

    it('prints a failure with its hint', async () => {
      const output = captureOutput();
      expect(await main(['extract', 'git', '--to', tmp, '--distro', realDistroDir], output)).to.equal(1);
      expect(output.stderr).to.deep.equal([
        `dappdeps: no Docker engine answers at DOCKER_HOST=${noEngine} (ENOENT)`,
        '  hint: check DOCKER_HOST: is the engine running there, and reachable from here?',
      ]);
    });

    it('with --json, also prints the error as one JSON object on stdout', async () => {
      const output = captureOutput();
      expect(await main(['verify', '--json', '--distro', realDistroDir], output)).to.equal(1);
      expect(output.stdout.map((line) => JSON.parse(line) as unknown)).to.deep.equal([
        {
          event: 'error',
          kind: 'EngineError',
          error: `no Docker engine answers at DOCKER_HOST=${noEngine} (ENOENT)`,
          hint: 'check DOCKER_HOST: is the engine running there, and reachable from here?',
        },
      ]);
    });
  });

  describe('the last resort', () => {
    const failingOut = () => ({
      ...captureOutput(),
      out: () => {
        throw new TypeError('stdout is gone');
      },
    });

    it('turns an unexpected error into exit 1 and one line, without a stack', async () => {
      const output = failingOut();
      expect(await main(['plan', '--distro', realDistroDir], output)).to.equal(1);
      expect(output.stderr).to.deep.equal([
        'dappdeps: unexpected error: stdout is gone',
        '  hint: run again with DEBUG=dappdeps:* for the stack trace',
      ]);
    });

    it('prints the stack with DEBUG=dappdeps:*', async () => {
      const before = createDebug.disable();
      createDebug.enable('dappdeps:*');
      try {
        const output = failingOut();
        expect(await main(['plan', '--distro', realDistroDir], output)).to.equal(1);
        expect(output.stderr[0]).to.equal('dappdeps: unexpected error: stdout is gone');
        expect(output.stderr[1]).to.match(/^TypeError: stdout is gone\n\s+at /);
      } finally {
        createDebug.enable(before);
      }
    });

    it('catches an unhandled rejection in the executable: exit 1, one line', async () => {
      const script = [
        `import { runExecutable } from ${JSON.stringify(path.join(repoRoot, 'src/cli/main.ts'))};`,
        "void Promise.reject(new Error('lost promise'));",
        "await runExecutable(['--help']);",
        'setTimeout(() => {}, 5000);',
      ].join('\n');
      const run = promisify(execFile)(process.execPath, ['--import', 'tsx/esm', '--input-type=module', '-e', script], {
        cwd: repoRoot,
        env: { ...process.env, DEBUG: '' },
      });
      const failure = await run.then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).to.include({ code: 1 });
      expect(failure)
        .to.have.property('stderr')
        .that.equals(
          'dappdeps: unexpected error: lost promise\n  hint: run again with DEBUG=dappdeps:* for the stack trace\n',
        );
    });
  });
});
