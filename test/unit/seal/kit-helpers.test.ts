/**
 * The seal kit's Perl helpers (templates/binary/seal/*.pl), run with the host's perl on real files: what
 * they print and change is checked against readelf, ldd and plain file-system facts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmod, link, lstat, mkdir, mkdtemp, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { repoRoot } from '../../support/paths.js';

const kit = (name: string) => join(repoRoot, 'templates/binary/seal', name);
const perl = (script: string, args: string[], input = '', env: NodeJS.ProcessEnv = {}) => {
  const r = spawnSync('perl', [kit(script), ...args], { input, encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('seal kit helpers', function () {
  this.timeout(60_000);
  let dir: string;
  const gcc = (...args: string[]) => execFileSync('gcc', args, { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dappdeps-kit-'));
    await writeFile(join(dir, 'lib.c'), '#include <stdio.h>\nint f(void) { return puts("f") > 0; }\n');
    await writeFile(join(dir, 'main.c'), 'int f(void);\nint main(void) { return f() - 1; }\n');
    await mkdir(join(dir, 'elf'));
    gcc('-shared', '-fPIC', '-o', 'elf/libf.so', 'lib.c', '-Wl,-soname,libf.so');
    gcc('-o', 'elf/rpath', 'main.c', '-Lelf', '-lf', '-Wl,--disable-new-dtags', '-Wl,-rpath,/a/b:$ORIGIN');
    gcc('-o', 'elf/runpath', 'main.c', '-Lelf', '-lf', '-lm', '-Wl,--enable-new-dtags', '-Wl,-rpath,/c');
    gcc('-static', '-o', 'elf/static', 'main.c', 'lib.c');
    gcc('-c', '-o', 'elf/object.o', 'lib.c');
    await writeFile(join(dir, 'elf/text'), '#!/bin/sh\necho this is not ELF, but long enough to be read as one\n');
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describe('elf-scan.pl', () => {
    const readelf = (file: string) => {
      const dyn = execFileSync('readelf', ['-d', '-l', '-W', file], { encoding: 'utf8' });
      const needed = [...dyn.matchAll(/\(NEEDED\)\s+Shared library: \[(.+)\]/g)].map((m) => m[1]).join(' ');
      const rpath = /\((?:RUNPATH|RPATH)\)\s+Library (?:runpath|rpath): \[(.*)\]/.exec(dyn)?.[1] ?? '';
      const interp = /Requesting program interpreter: (.+)\]/.exec(dyn)?.[1] ?? '';
      return { interp, needed, rpath };
    };

    it('lists exactly the dynamic ELF files, with what readelf reads from them', async () => {
      const r = perl('elf-scan.pl', [join(dir, 'elf')]);
      expect(r.status, r.stderr).to.equal(0);
      const rows = r.stdout
        .trim()
        .split('\n')
        .map((l) => l.split('|'));
      expect(rows.map((row) => row[0])).to.deep.equal(['libf.so', 'rpath', 'runpath'].map((f) => join(dir, 'elf', f)));
      for (const [file = '', ino, interp, needed, rpath] of rows) {
        const st = await stat(file);
        expect(ino).to.equal(`${st.dev}:${st.ino}`);
        expect({ interp, needed, rpath }).to.deep.equal(readelf(file));
      }
      expect(rows[1]?.[4]).to.equal('/a/b:$ORIGIN');
      expect(rows[2]?.[4]).to.equal('/c');
    });

    it("agrees with readelf on the host's own programs and libraries", () => {
      const files = ['/usr/bin/perl', '/usr/bin/gcc', '/usr/lib/x86_64-linux-gnu/libc.so.6', '/usr/bin/tar'];
      const r = perl('elf-scan.pl', files);
      expect(r.status, r.stderr).to.equal(0);
      const rows = r.stdout
        .trim()
        .split('\n')
        .map((l) => l.split('|'));
      expect(rows).to.have.length(files.length);
      for (const [file = '', , interp, needed, rpath] of rows) {
        expect({ interp, needed, rpath }, file).to.deep.equal(readelf(file));
      }
    });

    it('refuses a path its readers could not split', async () => {
      await mkdir(join(dir, 'odd'));
      execFileSync('cp', [join(dir, 'elf/rpath'), join(dir, 'odd/a|b')]);
      const r = perl('elf-scan.pl', [join(dir, 'odd')]);
      expect(r.status).to.equal(1);
      expect(r.stderr).to.match(/elf-scan: error: path with a \| or newline: .*a\|b/);
    });
  });

  describe('trace-libs.pl', () => {
    const ldso = '/lib64/ld-linux-x86-64.so.2';

    it('prints what ldd prints, in input order, and names what the loader cannot find', () => {
      const files = ['/usr/bin/perl', '/usr/bin/tar', join(dir, 'elf/runpath'), '/usr/bin/gcc'];
      const r = perl('trace-libs.pl', [ldso], files.join('\n') + '\n');
      expect(r.status, r.stderr).to.equal(0);
      const lines = r.stdout.trim().split('\n');
      expect([...new Set(lines.map((l) => l.split('|')[0]))]).to.deep.equal(files);
      for (const file of ['/usr/bin/perl', '/usr/bin/tar', '/usr/bin/gcc']) {
        const ldd = execFileSync('ldd', [file], { encoding: 'utf8' })
          .split('\n')
          .flatMap((l) => {
            const lib = /=> (\/\S+)/.exec(l);
            if (lib) return [`${file}|lib|${lib[1]}`];
            const interp = /^\s*(\/\S+) \(0x/.exec(l);
            return interp ? [`${file}|interp|${interp[1]}`] : [];
          });
        expect(lines.filter((l) => l.startsWith(`${file}|`))).to.deep.equal(ldd);
      }
      expect(lines).to.include(`${join(dir, 'elf/runpath')}|missing|libf.so`);
    });

    it("uses a file's own loader when the line names one, and reports a loader that fails", () => {
      const r = perl('trace-libs.pl', [ldso], `/usr/bin/tar|${ldso}\n/usr/bin/perl|/nonexistent/ld.so\n`);
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.include('/usr/bin/tar|lib|');
      expect(r.stdout).to.match(/^\/usr\/bin\/perl\|failed\|.*\/nonexistent\/ld\.so/m);
    });
  });

  describe('relink-symlinks.pl', () => {
    it('points absolute and /usr-crossing links into P, relatively, and leaves good ones alone', async () => {
      const P = join(dir, 'relink/.dapp/deps/x/1');
      await mkdir(join(P, 'bin'), { recursive: true });
      await mkdir(join(P, 'lib/x86_64-linux-gnu'), { recursive: true });
      const links: [string, string, string][] = [
        ['bin/abs', '/usr/bin/real', 'real'],
        ['bin/root-abs', '/bin/real', 'real'],
        ['lib/x86_64-linux-gnu/crossing', '../../../lib/x86_64-linux-gnu/libz.so.1', 'libz.so.1'],
        ['bin/p-absolute', `${P}/lib/x86_64-linux-gnu/libz.so.1`, '../lib/x86_64-linux-gnu/libz.so.1'],
        ['bin/good', 'real', 'real'],
        ['top', '/usr', '.'],
      ];
      for (const [at, target] of links) await symlink(target, join(P, at));
      const r = perl('relink-symlinks.pl', [P]);
      expect(r.status, r.stderr).to.equal(0);
      for (const [at, , want] of links) expect(await readlink(join(P, at)), at).to.equal(want);
      expect(r.stderr).to.include('symlinks: 6, relinked 5');
    });
  });

  describe('reshebang.pl', () => {
    it("points scripts' interpreters into P, keeping inode and mode, and warns about the missing ones", async () => {
      const P = join(dir, 'shebang/p');
      await mkdir(join(P, 'bin'), { recursive: true });
      await mkdir(join(P, 'sbin'), { recursive: true });
      const script = async (rel: string, text: string, mode = 0o755) => {
        await writeFile(join(P, rel), text);
        await chmod(join(P, rel), mode);
      };
      await script('bin/python3', '');
      await script('sbin/sh', '');
      await script('bin/env-script', '#!/usr/bin/env python3 -u\r\nprint(1)\n');
      await script('bin/sh-script', '#! /bin/sh -e\necho hi');
      await script('bin/missing', '#!/usr/bin/perl\n1;\n');
      await script('bin/not-executable', '#!/bin/sh\n', 0o644);
      await link(join(P, 'bin/sh-script'), join(P, 'bin/twin'));
      const before = await stat(join(P, 'bin/sh-script'));
      const r = perl('reshebang.pl', [P]);
      expect(r.status, r.stderr).to.equal(0);
      expect(await readFile(join(P, 'bin/env-script'), 'utf8')).to.equal(`#!${P}/bin/python3 -u\nprint(1)\n`);
      expect(await readFile(join(P, 'bin/sh-script'), 'utf8')).to.equal(`#!${P}/sbin/sh -e\necho hi`);
      expect(await readFile(join(P, 'bin/twin'), 'utf8')).to.equal(`#!${P}/sbin/sh -e\necho hi`);
      const after = await stat(join(P, 'bin/sh-script'));
      expect([after.ino, after.mode]).to.deep.equal([before.ino, before.mode]);
      expect(await readFile(join(P, 'bin/missing'), 'utf8')).to.equal('#!/usr/bin/perl\n1;\n');
      expect(await readFile(join(P, 'bin/not-executable'), 'utf8')).to.equal('#!/bin/sh\n');
      expect(r.stderr).to.include('shebang interpreter not in P: bin/missing: #!/usr/bin/perl');
      expect(r.stderr).to.include('shebangs pointed into P: 2');
    });
  });

  describe('hardlink-twins.pl', () => {
    it('links identical files with the same mode and owner, and nothing else', async () => {
      const P = join(dir, 'twins');
      await mkdir(join(P, 'a'), { recursive: true });
      const big = Buffer.alloc(20_000, 7);
      await writeFile(join(P, 'a/one'), big);
      await writeFile(join(P, 'b-two'), big);
      await writeFile(join(P, 'c-other-mode'), big);
      await chmod(join(P, 'c-other-mode'), 0o600);
      await writeFile(join(P, 'd-small'), 'x');
      await writeFile(join(P, 'e-small'), 'x');
      await writeFile(join(P, 'f-different'), Buffer.alloc(20_000, 8));
      const r = perl('hardlink-twins.pl', [P]);
      expect(r.status, r.stderr).to.equal(0);
      const ino = async (f: string) => (await lstat(join(P, f))).ino;
      expect(await ino('b-two')).to.equal(await ino('a/one'));
      expect(await ino('c-other-mode')).to.not.equal(await ino('a/one'));
      expect(await ino('e-small')).to.not.equal(await ino('d-small'));
      expect((await stat(join(P, 'a/one'))).nlink).to.equal(2);
      expect(r.stderr).to.include('hardlinked 1 identical files');
    });
  });

  describe('map-paths.pl', () => {
    it('keeps files and symlinks, once per name in P, without folders, aliases or excluded paths', () => {
      const env = { DD_EXCLUDE: '^/usr/share/(doc|man)(/|$)', DD_MERGED_ALIASES: ' /bin /lib /usr ' };
      const input = [
        '/usr/bin/tar',
        '/bin/tar',
        '/usr/share/doc/tar/copyright',
        '/usr/bin',
        '/bin',
        'relative',
        '/nonexistent',
      ];
      const r = perl('map-paths.pl', [], input.join('\n') + '\n', env);
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.equal('usr/bin/tar\n');
      expect(perl('map-paths.pl', [], '', { DD_MERGED_ALIASES: '' }).status).to.equal(255);
    });
  });
});
