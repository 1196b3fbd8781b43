import * as chai from 'chai';
import chaiAsPromised from 'chai-as-promised';
import { auditPrefix, type AuditReport } from '../../../src/audit/audit-prefix.js';
import { DappdepsError } from '../../../src/errors.js';
import { buildElf, type ElfSpec } from '../../support/elf-builder.js';
import { BASE, GIT, LDSO, LDSO_NAME, LIBC, TempImages, type Entry } from '../../support/audit-fixtures.js';

chai.use(chaiAsPromised);
const { expect } = chai;

const INTERP = `${GIT}/lib64/${LDSO_NAME}`;
const OUTSIDE = 'is outside the prefixes of this image and its run-time dependencies';
const FALLBACK = 'ld.so would fall back to ld.so.cache, /lib and /usr/lib';

/** A program as sealing leaves it: the prefix's ld.so, RPATH to the prefix's lib dir. */
function sealed(spec: ElfSpec = {}): Entry {
  return { elf: { type: 'EXEC', interpreter: INTERP, rpath: '$ORIGIN/../lib', needed: ['libc.so.6'], ...spec } };
}

/** The prefix's loader and libc, which every sealed program uses. */
const CORE: Record<string, Entry> = { [INTERP]: LDSO, [`${GIT}/lib/libc.so.6`]: LIBC };

function problems(report: AuditReport): string[] {
  return report.violations.map((v) => `${v.file}: ${v.problem}`);
}

describe('audit: auditPrefix', () => {
  const images = new TempImages();
  after(() => images.cleanup());

  async function audit(
    subject: Record<string, Entry>,
    opts: { base?: Record<string, Entry>; outside?: string[] } = {},
  ) {
    const dir = await images.make(subject);
    const deps = opts.base ? [{ prefix: BASE, dir: await images.make(opts.base) }] : [];
    return auditPrefix({ prefix: GIT, dir }, deps, { outside: opts.outside });
  }

  it('accepts a sealed prefix, skipping files that are not ELF, and counts its files', async () => {
    const report = await audit({
      ...CORE,
      [`${GIT}/bin/git`]: sealed(),
      [`${GIT}/bin/git-sh`]: '#!/.dapp/deps/git/0.2.1/bin/sh\n',
      [`${GIT}/share/git/README`]: 'text',
      [`${GIT}/lib/libc.so`]: { symlink: 'libc.so.6' },
      [`${GIT}/bin/git-alias`]: { symlink: `${GIT}/bin/git` },
    });
    expect(report).to.deep.equal({ elfFiles: 3, files: 5, violations: [] });
  });

  it('skips static programs and static PIEs', async () => {
    const report = await audit({
      [`${GIT}/bin/busybox`]: { elf: { type: 'EXEC', dynamic: false } },
      [`${GIT}/bin/static-pie`]: { elf: { pie: true } },
    });
    expect(report).to.deep.equal({ elfFiles: 2, files: 2, violations: [] });
  });

  it('reports an ELF file it cannot read', async () => {
    const report = await audit({ [`${GIT}/bin/cut`]: buildElf({ needed: ['libc.so.6'] }).subarray(0, 100) });
    expect(problems(report)).to.deep.equal([
      `${GIT}/bin/cut: unreadable ELF file: truncated ELF: program headers at bytes 64..232 is past the end of the 100-byte file`,
    ]);
  });

  describe('interpreter', () => {
    it('must be inside the prefixes', async () => {
      const report = await audit({
        ...CORE,
        [`${GIT}/bin/git`]: sealed({ interpreter: '/lib64/ld-linux-x86-64.so.2' }),
        [`${GIT}/bin/ok`]: sealed(),
      });
      expect(problems(report)).to.deep.equal([`${GIT}/bin/git: interpreter /lib64/ld-linux-x86-64.so.2 ${OUTSIDE}`]);
    });

    it('must exist, and must not escape through a symlink', async () => {
      const report = await audit({
        [`${GIT}/lib/libc.so.6`]: LIBC,
        [`${GIT}/lib64/ld-linux-x86-64.so.2`]: { symlink: '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2' },
        [`${GIT}/bin/git`]: sealed(),
        [`${GIT}/bin/tig`]: sealed({ interpreter: `${GIT}/lib64/ld-missing.so.2` }),
      });
      expect(problems(report)).to.include.members([
        `${GIT}/bin/git: interpreter ${INTERP} ${OUTSIDE} (/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2)`,
        `${GIT}/bin/tig: interpreter ${GIT}/lib64/ld-missing.so.2 does not exist`,
        `${INTERP}: symlink to /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 ${OUTSIDE} (/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2)`,
      ]);
    });

    it('may live in a run-time dependency, and is not itself audited', async () => {
      const baseLdso = `${BASE}/lib64/${LDSO_NAME}`;
      const report = await audit(
        { [`${GIT}/bin/git`]: sealed({ interpreter: baseLdso, rpath: `${BASE}/lib` }) },
        { base: { [baseLdso]: { elf: { soname: LDSO_NAME, rpath: '/usr/lib' } }, [`${BASE}/lib/libc.so.6`]: LIBC } },
      );
      expect(report.violations).to.deep.equal([]);
      // Inside the subject too: the loader is skipped, whatever it holds.
      const own = await audit({
        ...CORE,
        [INTERP]: { elf: { soname: LDSO_NAME, rpath: '/usr/lib' } },
        [`${GIT}/bin/git`]: sealed(),
      });
      expect(own.violations).to.deep.equal([]);
    });
  });

  describe('NEEDED', () => {
    it('resolves in a run-time dependency prefix, and only when it is mounted', async () => {
      const git = sealed({ rpath: `$ORIGIN/../lib:${BASE}/lib`, needed: ['libz.so.1', 'libc.so.6'] });
      const base = {
        [`${BASE}/lib/libz.so.1`]: { elf: { soname: 'libz.so.1', needed: ['libc.so.6'], rpath: '$ORIGIN' } },
      };
      expect((await audit({ ...CORE, [`${GIT}/bin/git`]: git }, { base })).violations).to.deep.equal([]);
      expect(problems(await audit({ ...CORE, [`${GIT}/bin/git`]: git }))).to.deep.equal([
        `${GIT}/bin/git: NEEDED libz.so.1 not found inside the allowed prefixes (searched ${GIT}/bin/../lib, ${BASE}/lib); ${FALLBACK}`,
        `${GIT}/bin/git: RPATH entry ${BASE}/lib ${OUTSIDE}`,
      ]);
    });

    it('names the file and the library when nothing inside the prefixes has it', async () => {
      const report = await audit({ ...CORE, [`${GIT}/bin/git`]: sealed({ needed: ['libpcre2-8.so.0', 'libc.so.6'] }) });
      expect(report.violations).to.deep.equal([
        {
          file: `${GIT}/bin/git`,
          problem: `NEEDED libpcre2-8.so.0 not found inside the allowed prefixes (searched ${GIT}/bin/../lib); ${FALLBACK}`,
        },
      ]);
    });

    it('expands $ORIGIN and ${ORIGIN} from the file that holds the RPATH', async () => {
      const ok = await audit({
        ...CORE,
        [`${GIT}/libexec/git-core/git-remote-http`]: sealed({ rpath: '${ORIGIN}/../../lib' }),
      });
      expect(ok.violations).to.deep.equal([]);
      const wrong = await audit({
        ...CORE,
        [`${GIT}/libexec/git-core/git-remote-http`]: sealed({ rpath: '$ORIGIN/../lib' }),
      });
      expect(problems(wrong)).to.deep.equal([
        `${GIT}/libexec/git-core/git-remote-http: NEEDED libc.so.6 not found inside the allowed prefixes (searched ${GIT}/libexec/git-core/../lib); ${FALLBACK}`,
      ]);
    });

    it('ignores RPATH when RUNPATH is present', async () => {
      const report = await audit({
        ...CORE,
        [`${GIT}/bin/git`]: sealed({ rpath: '$ORIGIN/../lib', runpath: '$ORIGIN/../other' }),
      });
      expect(problems(report)).to.deep.equal([
        `${GIT}/bin/git: NEEDED libc.so.6 not found inside the allowed prefixes (searched ${GIT}/bin/../other); ${FALLBACK}`,
      ]);
    });

    describe("a library's own NEEDED", () => {
      // libcurl lives in base without a search path of its own; libssl only in git.
      const base = { [`${BASE}/lib/libcurl.so.4`]: { elf: { soname: 'libcurl.so.4', needed: ['libssl.so.3'] } } };
      const subject = (spec: ElfSpec, extra: Record<string, Entry> = {}) => ({
        ...CORE,
        [`${GIT}/lib/libssl.so.3`]: { elf: { soname: 'libssl.so.3', rpath: '$ORIGIN' } },
        [`${GIT}/bin/git-remote-http`]: sealed({ needed: ['libcurl.so.4', 'libc.so.6'], ...spec }),
        ...extra,
      });

      it('is searched in the RPATH of the objects that loaded it, up to the program', async () => {
        const report = await audit(subject({ rpath: `$ORIGIN/../lib:${BASE}/lib` }), { base });
        expect(report.violations).to.deep.equal([]);
      });

      it('is not searched in the RUNPATH of the object that loaded it', async () => {
        const report = await audit(subject({ rpath: undefined, runpath: `$ORIGIN/../lib:${BASE}/lib` }), { base });
        expect(problems(report)).to.deep.equal([
          `${BASE}/lib/libcurl.so.4: NEEDED libssl.so.3 not found inside the allowed prefixes (no RPATH/RUNPATH); ${FALLBACK} (when loaded for ${GIT}/bin/git-remote-http)`,
        ]);
      });

      it('is not searched in the RPATH chain when the library has a RUNPATH', async () => {
        const report = await audit(subject({ rpath: `$ORIGIN/../lib:${BASE}/lib` }), {
          base: {
            [`${BASE}/lib/libcurl.so.4`]: {
              elf: { soname: 'libcurl.so.4', needed: ['libssl.so.3'], runpath: '$ORIGIN' },
            },
          },
        });
        expect(problems(report)).to.deep.equal([
          `${BASE}/lib/libcurl.so.4: NEEDED libssl.so.3 not found inside the allowed prefixes (searched ${BASE}/lib); ${FALLBACK} (when loaded for ${GIT}/bin/git-remote-http)`,
        ]);
      });

      it('is reported once, under the library, however many files load it', async () => {
        const libfoo = { elf: { soname: 'libfoo.so.1', needed: ['libbar.so.1'] } };
        const report = await audit({
          ...CORE,
          [`${GIT}/lib/libfoo.so.1`]: libfoo,
          [`${GIT}/bin/a`]: sealed({ needed: ['libfoo.so.1'] }),
          [`${GIT}/bin/b`]: sealed({ needed: ['libfoo.so.1'] }),
        });
        expect(problems(report)).to.deep.equal([
          `${GIT}/lib/libfoo.so.1: NEEDED libbar.so.1 not found inside the allowed prefixes (no RPATH/RUNPATH); ${FALLBACK}`,
        ]);
      });
    });

    it('opens a NEEDED holding a slash as a path', async () => {
      const report = await audit({
        ...CORE,
        [`${GIT}/lib/private/libgit.so`]: { elf: { soname: 'libgit.so' } },
        [`${GIT}/bin/ok`]: sealed({ needed: [`${GIT}/lib/private/libgit.so`, '$ORIGIN/../lib/private/libgit.so'] }),
        [`${GIT}/bin/host`]: sealed({ needed: ['/usr/lib/libgit.so'] }),
        [`${GIT}/bin/cwd`]: sealed({ needed: ['private/libgit.so'] }),
        [`${GIT}/bin/gone`]: sealed({ needed: [`${GIT}/lib/libgone.so`] }),
      });
      expect(problems(report)).to.deep.equal([
        `${GIT}/bin/cwd: NEEDED private/libgit.so is a relative path, resolved against the working directory`,
        `${GIT}/bin/gone: NEEDED ${GIT}/lib/libgone.so does not exist`,
        `${GIT}/bin/host: NEEDED /usr/lib/libgit.so ${OUTSIDE}`,
      ]);
    });

    it('checks Python extension modules like any shared object', async () => {
      const ext = `${GIT}/lib/python3.11/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so`;
      const report = await audit({
        ...CORE,
        [`${GIT}/bin/python3`]: sealed(),
        [ext]: { elf: { needed: ['libssl.so.3', 'libc.so.6'] } },
      });
      expect(problems(report)).to.deep.equal([
        `${ext}: NEEDED libc.so.6 not found inside the allowed prefixes (no RPATH/RUNPATH); ${FALLBACK}`,
        `${ext}: NEEDED libssl.so.3 not found inside the allowed prefixes (no RPATH/RUNPATH); ${FALLBACK}`,
      ]);
    });

    it('skips a library of another class, as ld.so does, and rejects one that is not ELF', async () => {
      const skipped = await audit({
        ...CORE,
        [`${GIT}/lib32/libc.so.6`]: { elf: { elfClass: 32, machine: 3, soname: 'libc.so.6' } },
        [`${GIT}/bin/git`]: sealed({ rpath: '$ORIGIN/../lib32:$ORIGIN/../lib' }),
      });
      expect(skipped.violations).to.deep.equal([]);
      const script = await audit({
        [INTERP]: LDSO,
        [`${GIT}/lib/libc.so.6`]: '/* GNU ld script */\nGROUP ( libc.so.6.1 )\n',
        [`${GIT}/bin/git`]: sealed(),
      });
      expect(problems(script)).to.deep.equal([
        `${GIT}/bin/git: NEEDED libc.so.6 resolves to ${GIT}/lib/libc.so.6, which is not an ELF file`,
      ]);
    });

    it('audits 32-bit big-endian prefixes the same way', async () => {
      const be = { elfClass: 32, endianness: 'big', machine: 20 } as const;
      const report = await audit({
        [INTERP]: { elf: { ...be, soname: LDSO_NAME } },
        [`${GIT}/lib/libc.so.6`]: { elf: { ...be, soname: 'libc.so.6', needed: [LDSO_NAME] } },
        [`${GIT}/lib/libz.so.1`]: { elf: { soname: 'libz.so.1' } }, // x86-64: not for this machine
        [`${GIT}/bin/git`]: sealed({ ...be, needed: ['libc.so.6', 'libz.so.1'] }),
      });
      expect(problems(report)).to.deep.equal([
        `${GIT}/bin/git: NEEDED libz.so.1 not found inside the allowed prefixes (searched ${GIT}/bin/../lib); ${FALLBACK}`,
      ]);
    });
  });

  describe('RPATH and RUNPATH entries', () => {
    it('must stay inside the prefixes and be absolute', async () => {
      const report = await audit({
        ...CORE,
        [`${GIT}/bin/git`]: sealed({ rpath: '/usr/lib:lib:$ORIGIN/../lib:$ORIGIN/../../../../../../usr/local/lib' }),
        [`${GIT}/bin/tig`]: sealed({ rpath: undefined, runpath: '$ORIGIN/../lib:/.dapp/deps/other/1.0/lib' }),
      });
      expect(problems(report)).to.deep.equal([
        `${GIT}/bin/git: RPATH entry $ORIGIN/../../../../../../usr/local/lib (${GIT}/bin/../../../../../../usr/local/lib) ${OUTSIDE} (/usr/local/lib)`,
        `${GIT}/bin/git: RPATH entry /usr/lib ${OUTSIDE}`,
        `${GIT}/bin/git: RPATH entry lib is relative to the working directory`,
        `${GIT}/bin/tig: RUNPATH entry /.dapp/deps/other/1.0/lib ${OUTSIDE}`,
      ]);
    });
  });

  describe('symlinks', () => {
    it('must resolve inside the prefixes', async () => {
      const report = await audit(
        {
          [`${GIT}/bin/python`]: { symlink: '/usr/bin/python3' },
          [`${GIT}/bin/sh`]: { symlink: `${BASE}/bin/bash` },
          [`${GIT}/etc/passwd`]: { symlink: '../../../../../../etc/passwd' },
          [`${GIT}/lib/libgone.so`]: { symlink: 'libgone.so.1' },
          [`${GIT}/lib/loop`]: { symlink: 'loop' },
        },
        { base: { [`${BASE}/bin/bash`]: 'bash' } },
      );
      expect(problems(report)).to.deep.equal([
        `${GIT}/bin/python: symlink to /usr/bin/python3 ${OUTSIDE} (/usr/bin/python3)`,
        `${GIT}/etc/passwd: symlink to ../../../../../../etc/passwd ${OUTSIDE} (/etc/passwd)`,
        `${GIT}/lib/libgone.so: symlink to libgone.so.1 does not exist (${GIT}/lib/libgone.so.1)`,
        `${GIT}/lib/loop: symlink to loop is a symlink loop`,
      ]);
    });

    it('into a run-time dependency not built yet: left for verify, while a symlink elsewhere is still refused', async () => {
      const dir = await images.make({
        [`${GIT}/bin/sh`]: { symlink: `${BASE}/bin/bash` },
        [`${GIT}/bin/python`]: { symlink: '/usr/bin/python3' },
      });
      const report = await auditPrefix({ prefix: GIT, dir }, [], { unbuilt: [BASE] });
      expect(problems(report)).to.deep.equal([
        `${GIT}/bin/python: symlink to /usr/bin/python3 ${OUTSIDE} (/usr/bin/python3)`,
      ]);
      const without = await auditPrefix({ prefix: GIT, dir }, []);
      expect(problems(without)).to.have.length(2);
    });
  });

  it('reports files found outside the prefix, sorted with the rest', async () => {
    const report = await audit(
      { [`${GIT}/bin/python`]: { symlink: '/usr/bin/python3' } },
      { outside: ['/etc/motd', '/.dapp/deps/x'] },
    );
    expect(problems(report)).to.deep.equal([
      `/.dapp/deps/git/0.2.1/bin/python: symlink to /usr/bin/python3 ${OUTSIDE} (/usr/bin/python3)`,
      `/.dapp/deps/x: is outside the prefix ${GIT}`,
      `/etc/motd: is outside the prefix ${GIT}`,
    ]);
  });

  it('refuses a subject whose prefix is not in its directory', async () => {
    const dir = await images.make({ '/other/file': 'x' });
    await expect(auditPrefix({ prefix: GIT, dir }, [])).to.be.rejectedWith(
      DappdepsError,
      `audit: ${dir}${GIT} is not a directory`,
    );
  });
});
