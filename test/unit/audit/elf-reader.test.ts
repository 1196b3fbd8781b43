import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as chai from 'chai';
import chaiAsPromised from 'chai-as-promised';
import { parseElf, readElf } from '../../../src/audit/elf-reader.js';
import { DappdepsError } from '../../../src/errors.js';
import { buildElf, type ElfSpec } from '../../support/elf-builder.js';

chai.use(chaiAsPromised);
const { expect } = chai;

const FULL: ElfSpec = {
  interpreter: '/.dapp/deps/git/0.2.1/lib64/ld-linux-x86-64.so.2',
  needed: ['libz.so.1', 'libc.so.6'],
  rpath: '$ORIGIN/../lib:/.dapp/deps/base/0.2.3/lib',
  runpath: '/opt/x',
  soname: 'libgit.so.0',
};

describe('audit: ELF reader', () => {
  for (const elfClass of [32, 64] as const) {
    for (const endianness of ['little', 'big'] as const) {
      it(`reads interpreter and dynamic strings of a ${elfClass}-bit ${endianness}-endian file`, () => {
        const machine = elfClass === 32 ? 20 : 21; // PowerPC, PowerPC64: both byte orders exist
        expect(parseElf(buildElf({ ...FULL, elfClass, endianness, machine, type: 'EXEC' }))).to.deep.equal({
          elfClass,
          endianness,
          type: 'EXEC',
          machine,
          interpreter: FULL.interpreter,
          dynamic: true,
          needed: ['libz.so.1', 'libc.so.6'],
          rpath: ['$ORIGIN/../lib', '/.dapp/deps/base/0.2.3/lib'],
          runpath: ['/opt/x'],
          soname: 'libgit.so.0',
          isStatic: false,
        });
      });
    }
  }

  it('returns undefined for files that are not ELF, however short', () => {
    for (const content of ['', '\x7fEL', '#!/bin/sh\necho hi\n', 'ELF\x7f and more bytes than a header has']) {
      expect(parseElf(Buffer.from(content, 'latin1'))).to.equal(undefined);
    }
  });

  it('throws a DappdepsError naming the truncation for every cut of a valid file', () => {
    const whole = buildElf(FULL);
    for (let cut = 4; cut < whole.length; cut++) {
      expect(() => parseElf(whole.subarray(0, cut)), `cut at ${cut}`).to.throw(
        DappdepsError,
        /^(truncated|corrupt) ELF: /,
      );
    }
    expect(() => parseElf(whole.subarray(0, 40))).to.throw(
      DappdepsError,
      'truncated ELF: 40 bytes is too short for the ELF header',
    );
  });

  it('rejects an unknown class or byte order as corrupt', () => {
    const bad = buildElf(FULL);
    bad[4] = 7;
    expect(() => parseElf(bad)).to.throw(DappdepsError, 'corrupt ELF: unknown class 7');
    const worse = buildElf(FULL);
    worse[5] = 0;
    expect(() => parseElf(worse)).to.throw(DappdepsError, 'corrupt ELF: unknown data encoding 0');
  });

  it('rejects a DT_STRTAB that no PT_LOAD maps', () => {
    const buf = buildElf({ needed: ['libc.so.6'] });
    // Point the second PT_LOAD (which holds the string table) somewhere else.
    buf.writeBigUInt64LE(0x900000n, 64 + 56 + 16);
    expect(() => parseElf(buf)).to.throw(DappdepsError, /corrupt ELF: address 0x[0-9a-f]+ is in no PT_LOAD segment/);
  });

  it('marks files without PT_DYNAMIC, and static PIEs, as static', () => {
    expect(parseElf(buildElf({ type: 'EXEC', dynamic: false }))).to.include({ dynamic: false, isStatic: true });
    expect(parseElf(buildElf({ pie: true }))).to.include({ dynamic: true, isStatic: true });
    // A shared object without NEEDED (ld.so itself) is not static: it has no DF_1_PIE.
    expect(parseElf(buildElf({ soname: 'ld-linux-x86-64.so.2' }))).to.include({ isStatic: false });
  });

  it('treats an empty DT_RPATH as no entries', () => {
    expect(parseElf(buildElf({ rpath: '' }))?.rpath).to.deep.equal([]);
  });

  describe('readElf', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'dappdeps-elf-'));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('reads the same facts from a file as parseElf from its bytes', async () => {
      const path = join(dir, 'big-endian');
      const buf = buildElf({ ...FULL, elfClass: 32, endianness: 'big', machine: 8 });
      await writeFile(path, buf);
      expect(await readElf(path)).to.deep.equal(parseElf(buf));
    });

    it('rejects a truncated file and returns undefined for a text file', async () => {
      await writeFile(join(dir, 'cut'), buildElf(FULL).subarray(0, 100));
      await writeFile(join(dir, 'text'), 'hello\n');
      await expect(readElf(join(dir, 'cut'))).to.be.rejectedWith(
        DappdepsError,
        /^truncated ELF: program headers at bytes 64\.\.288 is past the end of the 100-byte file/,
      );
      expect(await readElf(join(dir, 'text'))).to.equal(undefined);
    });
  });
});

/** `readelf` output for `flags` on `path`. */
function readelf(flags: string, path: string): string {
  return execFileSync('readelf', ['-W', flags, path], { encoding: 'utf8' });
}

/** The bracketed values readelf prints after `label` (`Shared library: [libc.so.6]`). */
function bracketed(output: string, label: string): string[] {
  return [...output.matchAll(new RegExp(`${label}: \\[([^\\]]*)\\]`, 'g'))].map((m) => m[1] as string);
}

/** The interpreter `readelf -l` prints as `[Requesting program interpreter: /lib64/ld-linux-x86-64.so.2]`. */
function interpreterOf(path: string): string | undefined {
  return /\[Requesting program interpreter: ([^\]]*)\]/.exec(readelf('-l', path))?.[1];
}

describe('audit: ELF reader against readelf', () => {
  const files = [
    '/bin/bash',
    '/usr/lib/x86_64-linux-gnu/libc.so.6',
    '/usr/lib/x86_64-linux-gnu/libz.so.1',
    '/lib64/ld-linux-x86-64.so.2',
    '/usr/bin/readelf',
  ];

  before(() => {
    expect(() => execFileSync('readelf', ['--version'])).not.to.throw();
  });

  for (const file of files) {
    it(`agrees with readelf on ${file}`, async () => {
      const info = await readElf(file);
      const dyn = readelf('-d', file);
      expect(info?.needed).to.deep.equal(bracketed(dyn, 'Shared library'));
      expect(info?.soname).to.equal(bracketed(dyn, 'Library soname')[0]);
      expect(info?.rpath).to.deep.equal(bracketed(dyn, 'Library rpath').flatMap((r) => r.split(':')));
      expect(info?.runpath).to.deep.equal(bracketed(dyn, 'Library runpath').flatMap((r) => r.split(':')));
      expect(info?.interpreter).to.equal(interpreterOf(file));
    });
  }

  it('agrees with readelf on the headers of every architecture in arch-test', async () => {
    // Debian's arch-test ships one tiny program per architecture: real big-endian and 32-bit files.
    const dir = '/usr/lib/arch-test';
    const names = await readdir(dir);
    let elves = 0;
    for (const name of names) {
      const info = await readElf(join(dir, name));
      if (!info) continue;
      elves++;
      const header = readelf('-h', join(dir, name));
      expect(header, name).to.include(`Class:                             ELF${info.elfClass}`);
      expect(header, name).to.include(`${info.endianness} endian`);
      expect(header, name).to.match(new RegExp(`Type:\\s+${info.type} `));
      expect(info.interpreter, name).to.equal(interpreterOf(join(dir, name)));
      expect(info.needed, name).to.deep.equal(bracketed(readelf('-d', join(dir, name)), 'Shared library'));
    }
    expect(elves).to.be.greaterThan(20);
  });

  it('builds files that readelf reads the same way, in every class and byte order', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dappdeps-elf-'));
    try {
      for (const [elfClass, endianness] of [
        [32, 'big'],
        [64, 'big'],
        [32, 'little'],
      ] as const) {
        const path = join(dir, `${elfClass}-${endianness}`);
        await writeFile(path, buildElf({ ...FULL, elfClass, endianness }));
        const dyn = readelf('-d', path);
        expect(bracketed(dyn, 'Shared library')).to.deep.equal(FULL.needed);
        expect(bracketed(dyn, 'Library rpath')).to.deep.equal([FULL.rpath]);
        expect(interpreterOf(path)).to.equal(FULL.interpreter);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
