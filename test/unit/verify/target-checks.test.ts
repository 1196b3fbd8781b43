import type { DockerClient } from '../../../src/docker/docker-client.js';
import type { RunRequest } from '../../../src/docker/types.js';
import { findImage, loadDistro } from '../../../src/manifest/load-distro.js';
import type { ImageModel } from '../../../src/manifest/model.js';
import type { SmokeTarget } from '../../../src/verify/smoke-targets.js';
import { runTargetChecks } from '../../../src/verify/target-checks.js';
import { expect } from '../../support/expect.js';
import { realDistroDir } from '../../support/paths.js';

const TARGET: SmokeTarget = {
  name: 'debian:bookworm',
  image: 'debian:bookworm',
  ownPrograms: [{ argv: ['/bin/ls', '/'], expect: 'usr' }],
  hasShell: true,
  run: {},
};
const OWN_SHELL = ['/usr/bin/ls', 'PATH=/usr/local/bin:/usr/bin:/bin', 'HOME=/root', 'HOSTNAME=a1', 'PWD=/'];

/** An engine whose containers print what the target's own shell and base's bash report. */
function engine(insideBash: string[]): DockerClient {
  const run = async (req: RunRequest): Promise<number> => {
    const lines =
      req.cmd[0] === '/bin/sh' ? OWN_SHELL : req.cmd[0]?.endsWith('/bin/bash') ? insideBash : ['bin', 'usr'];
    req.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  };
  return { containers: { run } } as unknown as DockerClient;
}

describe('verify: target checks (no Docker)', () => {
  let base: ImageModel;
  before(async () => {
    base = findImage(await loadDistro(realDistroDir), 'base');
  });
  const bashCheck = async (insideBash: string[]) => {
    const checks = await runTargetChecks(
      engine(insideBash),
      TARGET,
      [base],
      ['dappdeps-base'],
      new AbortController().signal,
    );
    expect(checks.map((c) => c.name)).to.deep.equal([
      "the target's own /bin/ls / runs with the prefixes mounted",
      "inside base's bash, the target's own ls, PATH and environment are unchanged",
    ]);
    return checks[1];
  };

  it("passes when only the shell's own variables and the bash launcher's declared ones differ", async () => {
    const inside = [
      '/usr/bin/ls',
      'PATH=/usr/local/bin:/usr/bin:/bin',
      'HOME=/root',
      'HOSTNAME=b2',
      'SHLVL=1',
      '_=/usr/bin/env',
      `TERMINFO_DIRS=${base.prefix}/lib/terminfo:`,
    ];
    expect((await bashCheck(inside))?.passed).to.equal(true);
  });

  it('fails when our bash changes PATH, so the target resolves our ls instead of its own', async () => {
    const inside = [`${base.prefix}/bin/ls`, `PATH=${base.prefix}/bin:/usr/local/bin:/usr/bin:/bin`, 'HOME=/root'];
    const check = await bashCheck(inside);
    expect(check?.passed).to.equal(false);
    expect(check?.output).to.contain(`differs from the target's own shell: ${base.prefix}/bin/ls`);
  });

  it('fails when a variable nobody declared leaks into the environment', async () => {
    const inside = [...OWN_SHELL, `LD_LIBRARY_PATH=${base.prefix}/lib`];
    expect((await bashCheck(inside))?.passed).to.equal(false);
  });
});
