import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from '../../support/expect.js';
import { realDistroDir, repoRoot } from '../../support/paths.js';

/** Packages a command that only reads manifests has no use for: the engine client, the UI, archives, templates. */
const HEAVY = ['dockerode', 'docker-modem', 'ora', 'handlebars', 'protobufjs', 'tar', 'tar-fs', 'tar-stream'];

/** A hook that writes the URL of every module loaded, CommonJS or ESM, to the file named by its data. */
const HOOK = `import { appendFileSync } from 'node:fs';
let log;
export function initialize(file) { log = file; }
export async function load(url, context, next) { appendFileSync(log, url + '\\n'); return next(url, context); }`;

/** The packages under node_modules that running `args` loads (in a child, so this process's modules do not count). */
async function packagesLoaded(args: readonly string[], log: string, env = process.env): Promise<Set<string>> {
  const script = [
    "import { register } from 'node:module';",
    `register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOK)}`)}, { data: ${JSON.stringify(log)} });`,
    `const { main } = await import(${JSON.stringify(path.join(repoRoot, 'src/cli/main.ts'))});`,
    `process.exitCode = await main(${JSON.stringify(args)}, { out() {}, err() {} });`,
  ].join('\n');
  await promisify(execFile)(process.execPath, ['--import', 'tsx/esm', '--input-type=module', '-e', script], {
    cwd: repoRoot,
    env,
  }).catch((error: unknown) => error); // doctor without an engine exits 1: what it loaded is what counts
  const urls = (await readFile(log, 'utf8')).split('\n');
  return new Set(urls.map((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1]).filter((p) => p !== undefined));
}

describe('commands that only read manifests', function () {
  this.timeout(60_000);
  let tmp: string;
  beforeEach(async () => (tmp = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-imports-'))));
  afterEach(() => rm(tmp, { recursive: true, force: true }));

  for (const args of [['validate', '--distro', realDistroDir], ['plan', '--distro', realDistroDir], ['--help']]) {
    it(`load no engine client, UI, archive or template package: ${args[0] ?? ''}`, async () => {
      const loaded = await packagesLoaded(args, path.join(tmp, 'modules.log'));
      expect(loaded).to.include('commander'); // the hook saw the command's modules
      if (args[0] !== '--help') expect(loaded).to.include.members(['yaml', 'zod']);
      expect([...loaded].filter((p) => HEAVY.includes(p))).to.deep.equal([]);
    });
  }

  it('would see an engine client if one were loaded: doctor asks the engine', async () => {
    // The checks above are only as good as the hook: a command that does load dockerode (CommonJS) shows it.
    const env = { ...process.env, DOCKER_HOST: `unix://${tmp}/no-engine.sock`, DEBUG: '' };
    const loaded = await packagesLoaded(['doctor'], path.join(tmp, 'modules.log'), env);
    expect(loaded).to.include('dockerode');
  });
});
