import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkEmulation, parseBinfmtEntry } from '../../../src/bootstrap/emulation.js';
import { EmulationError } from '../../../src/errors.js';
import { architectures } from '../../../src/manifest/architectures.js';
import { expect } from '../../support/expect.js';

/** What Debian's qemu-user-static registers through binfmt-support (as read on these machines). */
const REGISTERED = `enabled
interpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P
flags: PF
offset 0
magic 7f454c460201010000000000000000000200b700
mask ffffffffffffff00fffffffffffffffffeffffff
`;

describe('emulation check', () => {
  let dir: string;
  const arm64 = architectures.arm64;
  const check = (nodeArch = 'x64', dockerHost?: string) =>
    checkEmulation(arm64, { nodeArch, binfmtDir: dir, dockerHost });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dappdeps-binfmt-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('reads a binfmt_misc entry', () => {
    expect(parseBinfmtEntry(REGISTERED)).to.deep.equal({
      enabled: true,
      interpreter: '/usr/libexec/qemu-binfmt/aarch64-binfmt-P',
      flags: 'PF',
    });
    expect(parseBinfmtEntry('disabled\nflags: \n').enabled).to.equal(false);
  });

  it('passes natively and with a registered, enabled entry with the F flag', async () => {
    expect(await check('arm64')).to.equal('native');
    await writeFile(join(dir, 'qemu-aarch64'), REGISTERED);
    expect(await check()).to.equal('emulated');
  });

  it('fails without the entry, with it disabled, or without F, naming the set-up script', async () => {
    await expect(check()).to.be.rejectedWith(EmulationError, 'qemu-user-static not registered');
    await check().catch((e: EmulationError) => expect(e.hint).to.contain('dappdeps doctor --fix --arch arm64'));
    await writeFile(join(dir, 'qemu-aarch64'), REGISTERED.replace('enabled', 'disabled'));
    await expect(check()).to.be.rejectedWith(EmulationError, 'is disabled');
    await writeFile(join(dir, 'qemu-aarch64'), REGISTERED.replace('flags: PF', 'flags: P'));
    await expect(check()).to.be.rejectedWith(EmulationError, 'lacks the F flag (flags: P)');
  });

  it('leaves an engine on another machine unchecked (this kernel is not its)', async () => {
    expect(await check('x64', 'tcp://build-host:2376')).to.equal('emulated');
  });
});
