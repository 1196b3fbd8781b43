import { readFile } from 'node:fs/promises';
import { auditPrefix } from '../../../src/audit/audit-prefix.js';
import { readElf } from '../../../src/audit/elf-reader.js';
import { architectures, elfMachineName } from '../../../src/manifest/architectures.js';
import { expect } from '../../support/expect.js';
import { BASE, TempImages } from '../../support/audit-fixtures.js';

/** Debian's arch-test: one tiny static program per architecture, real files of each machine. */
const ARCH_TEST = '/usr/lib/arch-test';

describe('audit: the ELF machine against the image architecture', () => {
  const images = new TempImages();
  after(() => images.cleanup());

  it("reads each architecture's machine from real programs", async () => {
    for (const arch of Object.values(architectures)) {
      const info = await readElf(`${ARCH_TEST}/${arch.debian}`);
      expect(info?.machine, arch.debian).to.equal(arch.elfMachine);
      expect(info?.isStatic, arch.debian).to.equal(true);
    }
    expect(elfMachineName(62)).to.equal('x86-64');
    expect(elfMachineName(183)).to.equal('AArch64');
    expect(elfMachineName(9999)).to.equal('e_machine 9999');
  });

  it('makes a planted x86-64 program in an arm64 image a violation naming both machines', async () => {
    const dir = await images.make({
      [`${BASE}/bin/true`]: await readFile(`${ARCH_TEST}/arm64`),
      [`${BASE}/bin/planted`]: await readFile(`${ARCH_TEST}/amd64`),
      [`${BASE}/share/readme`]: 'not ELF',
    });
    const report = await auditPrefix({ prefix: BASE, dir }, [], { architecture: architectures.arm64 });
    expect(report.elfFiles).to.equal(2);
    expect(report.violations).to.deep.equal([
      {
        file: `${BASE}/bin/planted`,
        problem: 'is an ELF file for x86-64 (e_machine 62); the image is arm64 (AArch64, e_machine 183)',
      },
    ]);
  });

  it('checks the amd64 images the same way, and nothing without an architecture', async () => {
    const dir = await images.make({
      [`${BASE}/bin/true`]: await readFile(`${ARCH_TEST}/amd64`),
      [`${BASE}/lib/plugin`]: await readFile(`${ARCH_TEST}/riscv64`),
    });
    const amd64 = await auditPrefix({ prefix: BASE, dir }, [], { architecture: architectures.amd64 });
    expect(amd64.violations.map((v) => [v.file, v.problem])).to.deep.equal([
      [`${BASE}/lib/plugin`, 'is an ELF file for RISC-V (e_machine 243); the image is amd64 (x86-64, e_machine 62)'],
    ]);
    expect((await auditPrefix({ prefix: BASE, dir }, [])).violations).to.deep.equal([]);
  });
});
