/** Extracted-image trees for audit tests, written to temporary directories and removed afterwards. */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildElf, type ElfSpec } from './elf-builder.js';

/** A file's content, an ELF to build, or a symlink target. */
export type Entry = string | Buffer | { elf: ElfSpec } | { symlink: string };

export const GIT = '/.dapp/deps/git/0.2.1';
export const BASE = '/.dapp/deps/base/0.2.3';
export const LDSO_NAME = 'ld-linux-x86-64.so.2';
/** An interpreter as glibc ships it: a shared object with a SONAME and no NEEDED. */
export const LDSO: Entry = { elf: { soname: LDSO_NAME } };
/** libc needs ld.so by its SONAME, as glibc's does. */
export const LIBC: Entry = { elf: { soname: 'libc.so.6', needed: [LDSO_NAME] } };

export class TempImages {
  private readonly dirs: string[] = [];

  /** Writes `entries` (keys are absolute in-image paths) below a new directory and returns it. */
  async make(entries: Record<string, Entry>): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'dappdeps-audit-'));
    this.dirs.push(dir);
    for (const [path, entry] of Object.entries(entries)) {
      const local = join(dir, path);
      await mkdir(dirname(local), { recursive: true });
      if (typeof entry === 'string' || Buffer.isBuffer(entry)) await writeFile(local, entry);
      else if ('elf' in entry) await writeFile(local, buildElf(entry.elf));
      else await symlink(entry.symlink, local);
    }
    return dir;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  }
}
