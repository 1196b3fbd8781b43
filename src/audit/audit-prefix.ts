/**
 * The static half of the audit of a sealed prefix: Omnibus' health check with an empty allow-list. Every
 * file under the prefix must run with nothing but dappdeps prefixes mounted: the subject's own and those
 * of its run-time dependencies. Nothing may reach the target image's `/lib`, `/usr` or ld.so.cache.
 *
 * Checked: each ELF interpreter (absolute, inside the roots, an ELF file); each RPATH/RUNPATH entry
 * (absolute after token expansion, not leaving the roots); each NEEDED of each dynamic ELF and of the
 * libraries it pulls in (see resolve-needed.ts for ld.so's rules); each symlink (resolves inside the
 * roots); and anything that is not a regular file, directory or symlink. Static files and the
 * interpreters themselves are not searched for NEEDED: they have no loader to ask.
 */
import { lstat, readdir, readlink } from 'node:fs/promises';
import { posix } from 'node:path';
import PQueue from 'p-queue';
import { DappdepsError, ElfFormatError } from '../errors.js';
import { elfMachineName, type Architecture } from '../manifest/architectures.js';
import { expandTokens } from './dst.js';
import { readElf, type ElfInfo } from './elf-reader.js';
import { explainResolution, ImageFs, type ImageRoot } from './image-fs.js';
import { resolveNeeded, type ElfLookup, type LoadedObject } from './resolve-needed.js';

/** An image's prefix and the local directory holding its extracted file system. */
export type AuditRoot = ImageRoot;

export interface Violation {
  /** Absolute in-image path. */
  file: string;
  problem: string;
}

export interface AuditReport {
  /** Regular files under the prefix that are ELF. */
  elfFiles: number;
  /** Regular files under the prefix. */
  files: number;
  /** Sorted by file, then problem; no duplicates. */
  violations: Violation[];
}

export interface AuditOptions {
  /** In-image paths found outside the prefix; each is a violation. */
  outside?: readonly string[];
  /** The image's architecture: an ELF file of another machine is a violation (under binfmt emulation it would
   * even run, so only the audit can tell). */
  architecture?: Pick<Architecture, 'debian' | 'elfMachine'>;
  /**
   * Prefixes of run-time dependencies not built yet (a parallel build): a symlink into one cannot be checked until
   * that image exists, so it is not a violation here; verify audits it with the dependency mounted.
   */
  unbuilt?: readonly string[];
}

interface ElfFile {
  file: string;
  info: ElfInfo;
}

interface TreeScan {
  elves: ElfFile[];
  symlinks: string[];
  files: number;
  violations: Violation[];
}

type Interpreter = { object: LoadedObject } | { problem: string };

/** Files read at once while looking for ELF headers: a walk over 100k files is bound by open/read latency. */
const READ_CONCURRENCY = 16;

/** Reads one regular file's ELF facts, or the violation that it is an unreadable ELF file. */
async function classify(root: AuditRoot, file: string): Promise<ElfFile | Violation | undefined> {
  try {
    const info = await readElf(root.dir + file);
    return info && { file, info };
  } catch (err) {
    if (!(err instanceof ElfFormatError)) throw err;
    return { file, problem: `unreadable ELF file: ${err.message}` };
  }
}

async function scanTree(root: AuditRoot): Promise<TreeScan> {
  const scan: TreeScan = { elves: [], symlinks: [], files: 0, violations: [] };
  const regular: string[] = [];
  const dirs = [root.prefix];
  for (let dir = dirs.pop(); dir !== undefined; dir = dirs.pop()) {
    for (const entry of await readdir(root.dir + dir, { withFileTypes: true })) {
      const file = `${dir}/${entry.name}`;
      if (entry.isDirectory()) dirs.push(file);
      else if (entry.isSymbolicLink()) scan.symlinks.push(file);
      else if (entry.isFile()) regular.push(file);
      else scan.violations.push({ file, problem: 'is not a regular file, directory or symlink' });
    }
  }
  scan.files = regular.length;
  const queue = new PQueue({ concurrency: READ_CONCURRENCY });
  for (const found of await queue.addAll(regular.map((file) => () => classify(root, file)))) {
    if (found === undefined) continue;
    if ('info' in found) scan.elves.push(found);
    else scan.violations.push(found);
  }
  scan.elves.sort((a, b) => compare(a.file, b.file));
  return scan;
}

function corruptAsUndefined(err: unknown): undefined {
  if (err instanceof ElfFormatError) return undefined;
  throw err;
}

async function checkInterpreter(fs: ImageFs, elfAt: ElfLookup, interp: string): Promise<Interpreter> {
  const what = `interpreter ${interp}`;
  if (!posix.isAbsolute(interp)) return { problem: `${what} is relative to the working directory` };
  const r = await fs.resolve(interp);
  if (r.kind !== 'found') return { problem: explainResolution(what, interp, r) };
  const info = r.type === 'file' ? await elfAt(r).catch(corruptAsUndefined) : undefined;
  if (!info) return { problem: `${what} is not an ELF file` };
  return { object: { openedAs: interp, file: r.path, info, loader: undefined } };
}

async function checkSearchPath(fs: ImageFs, elf: ElfFile): Promise<Violation[]> {
  const violations: Violation[] = [];
  const lists = [
    ['RPATH', elf.info.rpath],
    ['RUNPATH', elf.info.runpath],
  ] as const;
  for (const [tag, entries] of lists) {
    for (const entry of entries) {
      for (const dir of expandTokens(entry, posix.dirname(elf.file), elf.info)) {
        const what = `${tag} entry ${entry}${dir === entry ? '' : ` (${dir})`}`;
        if (!posix.isAbsolute(dir)) {
          violations.push({ file: elf.file, problem: `${what} is relative to the working directory` });
          continue;
        }
        // A missing directory inside the roots is harmless: ld.so skips it.
        const r = await fs.resolve(dir);
        if (r.kind === 'outside') violations.push({ file: elf.file, problem: explainResolution(what, dir, r) });
      }
    }
  }
  return violations;
}

function wrongMachines(elves: readonly ElfFile[], arch: AuditOptions['architecture']): Violation[] {
  if (!arch) return [];
  const expected = `${elfMachineName(arch.elfMachine)}, e_machine ${arch.elfMachine}`;
  return elves
    .filter((e) => e.info.machine !== arch.elfMachine)
    .map((e) => ({
      file: e.file,
      problem: `is an ELF file for ${elfMachineName(e.info.machine)} (e_machine ${e.info.machine}); the image is ${arch.debian} (${expected})`,
    }));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortUnique(violations: readonly Violation[]): Violation[] {
  const byKey = new Map(violations.map((v) => [`${v.file}\0${v.problem}`, v]));
  return [...byKey.keys()].sort(compare).map((k) => byKey.get(k) as Violation);
}

/**
 * Audits `subject.dir + subject.prefix` as it will run with the `runtimeDeps` prefixes mounted beside it.
 * Libraries are also checked as roots of their own load (dlopen by a program the audit cannot know), so
 * each must resolve its NEEDED through its own RPATH/RUNPATH; a failure that appears only in the closure
 * of another file is reported under the failing library, naming that file.
 */
export async function auditPrefix(
  subject: AuditRoot,
  runtimeDeps: readonly AuditRoot[],
  opts: AuditOptions = {},
): Promise<AuditReport> {
  const fs = new ImageFs([subject, ...runtimeDeps]);
  const top = await lstat(subject.dir + subject.prefix).catch(() => undefined);
  if (!top?.isDirectory()) throw new DappdepsError(`audit: ${subject.dir + subject.prefix} is not a directory`);

  const scan = await scanTree(subject);
  const violations = [...scan.violations, ...wrongMachines(scan.elves, opts.architecture)];
  for (const link of scan.symlinks) {
    const r = await fs.resolve(link);
    const pending = r.kind === 'outside' && opts.unbuilt?.some((p) => r.path === p || r.path.startsWith(`${p}/`));
    if (r.kind !== 'found' && !pending) {
      violations.push({
        file: link,
        problem: explainResolution(`symlink to ${await readlink(subject.dir + link)}`, link, r),
      });
    }
  }

  const elfCache = new Map<string, Promise<ElfInfo | undefined>>(
    scan.elves.map((e) => [e.file, Promise.resolve(e.info)]),
  );
  const elfAt: ElfLookup = (found) => {
    let info = elfCache.get(found.path);
    if (!info) {
      info = readElf(found.local);
      elfCache.set(found.path, info);
    }
    return info;
  };

  const interpreters = new Map<string, Interpreter>();
  for (const elf of scan.elves) {
    const interp = elf.info.interpreter;
    if (interp === undefined) continue;
    if (!interpreters.has(interp)) interpreters.set(interp, await checkInterpreter(fs, elfAt, interp));
    const checked = interpreters.get(interp) as Interpreter;
    if ('problem' in checked) violations.push({ file: elf.file, problem: checked.problem });
  }
  const loaders = new Map<string, LoadedObject>();
  for (const checked of interpreters.values())
    if ('object' in checked) loaders.set(checked.object.file, checked.object);

  // Keyed by failing object and name: a library breaks the same way in every closure it is part of.
  const failures = new Map<string, Violation & { standalone: boolean }>();
  for (const elf of scan.elves) {
    if (elf.info.isStatic || loaders.has(elf.file)) continue;
    violations.push(...(await checkSearchPath(fs, elf)));
    const interp = elf.info.interpreter === undefined ? undefined : interpreters.get(elf.info.interpreter);
    // A program starts with its own interpreter mapped. A library, or a program whose interpreter is
    // already reported, is checked as if started by the interpreters the prefix's programs use.
    const preloaded = interp !== undefined && 'object' in interp ? [interp.object] : [...loaders.values()];
    const root: LoadedObject = { openedAs: elf.file, file: elf.file, info: elf.info, loader: undefined };
    for (const u of await resolveNeeded(fs, elfAt, root, preloaded)) {
      const key = `${u.object.file}\0${u.name}`;
      const standalone = u.object === root;
      const known = failures.get(key);
      if (!known || (standalone && !known.standalone)) {
        const problem = standalone ? u.problem : `${u.problem} (when loaded for ${elf.file})`;
        failures.set(key, { file: u.object.file, problem, standalone });
      }
    }
  }
  for (const { file, problem } of failures.values()) violations.push({ file, problem });
  for (const file of opts.outside ?? []) violations.push({ file, problem: `is outside the prefix ${subject.prefix}` });

  return { elfFiles: scan.elves.length, files: scan.files, violations: sortUnique(violations) };
}
