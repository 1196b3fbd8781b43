/**
 * The audit over real ELF files: a tiny prefix compiled with gcc against a copy of the host's glibc, with
 * the interpreter and RPATH set at link time, checked against what the real ld.so resolves.
 */
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { auditPrefix } from '../../../src/audit/audit-prefix.js';
import { readElf } from '../../../src/audit/elf-reader.js';
import { GIT, LDSO_NAME } from '../../support/audit-fixtures.js';

const HOST_LIBC = '/usr/lib/x86_64-linux-gnu/libc.so.6';
const HOST_LDSO = `/lib64/${LDSO_NAME}`;
const INTERP = `${GIT}/lib64/${LDSO_NAME}`;

describe('audit: real ELF files built with gcc', function () {
  this.timeout(30_000);
  let dir: string;
  let local: (path: string) => string;

  const gcc = (...args: string[]) => execFileSync('gcc', args, { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  const program = (name: string, ...ldflags: string[]) =>
    gcc(
      '-o',
      local(`${GIT}/bin/${name}`),
      'main.c',
      `-L${local(`${GIT}/lib`)}`,
      '-l:libgreet.so.1',
      `-Wl,--dynamic-linker=${INTERP}`,
      ...ldflags,
    );

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dappdeps-real-elf-'));
    local = (path) => dir + path;
    await mkdir(local(`${GIT}/bin`), { recursive: true });
    await mkdir(local(`${GIT}/lib64`), { recursive: true });
    await mkdir(local(`${GIT}/lib`), { recursive: true });
    await copyFile(HOST_LDSO, local(INTERP));
    await copyFile(HOST_LIBC, local(`${GIT}/lib/libc.so.6`));
    await writeFile(join(dir, 'greet.c'), '#include <stdio.h>\nvoid greet(void) { puts("hello"); }\n');
    await writeFile(join(dir, 'main.c'), 'void greet(void);\nint main(void) { greet(); return 0; }\n');
    gcc(
      '-shared',
      '-fPIC',
      '-o',
      local(`${GIT}/lib/libgreet.so.1`),
      'greet.c',
      '-Wl,-soname,libgreet.so.1',
      '-Wl,--disable-new-dtags',
      '-Wl,-rpath,$ORIGIN',
    );
    program('hello', '-Wl,--disable-new-dtags', '-Wl,-rpath,$ORIGIN/../lib');
    program('hello-runpath', '-Wl,--enable-new-dtags', '-Wl,-rpath,$ORIGIN/../lib');
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reads what the linker wrote', async () => {
    expect(await readElf(local(`${GIT}/bin/hello`))).to.include({ interpreter: INTERP });
    expect((await readElf(local(`${GIT}/bin/hello`)))?.rpath).to.deep.equal(['$ORIGIN/../lib']);
    expect((await readElf(local(`${GIT}/bin/hello-runpath`)))?.runpath).to.deep.equal(['$ORIGIN/../lib']);
    expect((await readElf(local(`${GIT}/lib/libgreet.so.1`)))?.needed).to.deep.equal(['libc.so.6']);
  });

  it('resolves inside the prefix exactly what the real ld.so loads', () => {
    // ld.so --list resolves with the copied loader; without the cache, a fallback would show host paths.
    // Like the audit, it opens `$ORIGIN/../lib` unnormalized, and maps ld.so once: libc's NEEDED on it is
    // met by SONAME, although lib64 is in no search path.
    const listing = execFileSync(local(INTERP), ['--inhibit-cache', '--list', local(`${GIT}/bin/hello`)], {
      encoding: 'utf8',
    });
    expect([...listing.matchAll(/(\S+) => (\S+)/g)].map((m) => [m[1], m[2]])).to.deep.equal([
      ['libgreet.so.1', local(`${GIT}/bin/../lib/libgreet.so.1`)],
      ['libc.so.6', local(`${GIT}/bin/../lib/libc.so.6`)],
      [INTERP, local(INTERP)],
    ]);
  });

  it('accepts the sealed programs and flags only libc.so.6, whose PT_INTERP still names the host loader', async () => {
    const report = await auditPrefix({ prefix: GIT, dir }, []);
    expect(report.violations).to.deep.equal([
      {
        file: `${GIT}/lib/libc.so.6`,
        problem: `interpreter ${HOST_LDSO} is outside the prefixes of this image and its run-time dependencies`,
      },
    ]);
    expect(report).to.include({ elfFiles: 5, files: 5 });
  });

  it('flags a program linked without a search path into the prefix', async () => {
    program('unsealed');
    try {
      const report = await auditPrefix({ prefix: GIT, dir }, []);
      expect(report.violations.filter((v) => v.file === `${GIT}/bin/unsealed`).map((v) => v.problem)).to.deep.equal([
        'NEEDED libc.so.6 not found inside the allowed prefixes (no RPATH/RUNPATH); ld.so would fall back to ld.so.cache, /lib and /usr/lib',
        'NEEDED libgreet.so.1 not found inside the allowed prefixes (no RPATH/RUNPATH); ld.so would fall back to ld.so.cache, /lib and /usr/lib',
      ]);
    } finally {
      await rm(local(`${GIT}/bin/unsealed`));
    }
  });
});
