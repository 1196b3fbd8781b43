import { createHash } from 'node:crypto';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import tarStream from 'tar-stream';
import { DappdepsError, UsageError } from '../errors.js';
import { isIgnored, parseIgnore, type IgnoreRule } from './ignore-rules.js';

/** The playbook's project folder, packed to be sent into the run's container (nothing is bind-mounted). */
export interface ProjectContext {
  /** The folder on this machine. */
  dir: string;
  /** The playbook, relative to the folder (`/`-separated). */
  playbook: string;
  /** Every file, folder and link sent, relative to the folder, sorted. */
  paths: string[];
  /** A tar of the folder whose entries are under `prefix`: sorted, owned by root, times zeroed. */
  tar: Buffer;
  /** sha256 of `tar`: the same folder gives the same digest, whatever the files' times. */
  digest: string;
}

/** Beyond this, a context is most likely a mistake (a build output, a data folder): say how to leave it out. */
const MAX_CONTEXT_BYTES = 256 * 1024 * 1024;
const IGNORE_FILE = '.dappdepsignore';

/**
 * Packs `dir` (the playbook's folder unless `--context` names another) for the run: `.git` and what
 * `.dappdepsignore` lists are left out; a link pointing outside the folder, or a device, socket or pipe in it,
 * is refused rather than sent in a form that would run differently.
 */
export async function readContext(dir: string, playbookFile: string, prefix: string): Promise<ProjectContext> {
  const root = path.resolve(dir);
  const playbook = path.relative(root, playbookFile).split(path.sep).join('/');
  if (playbook.startsWith('../') || path.isAbsolute(playbook)) {
    throw badInput(`the playbook ${playbookFile} is not inside the context ${dir}`, {
      hint: 'name a --context folder that holds the playbook',
    });
  }
  const rules = await ignoreRules(root);
  if (isIgnored(rules, playbook, false))
    throw new UsageError(`${IGNORE_FILE} in ${dir} leaves out the playbook ${playbook}`);
  const entries = await walk(root, '', rules);
  const tar = await pack(root, entries, prefix);
  return {
    dir: root,
    playbook,
    paths: entries.map((e) => e.rel),
    tar,
    digest: createHash('sha256').update(tar).digest('hex'),
  };
}

async function ignoreRules(root: string): Promise<IgnoreRule[]> {
  try {
    return parseIgnore(await readFile(path.join(root, IGNORE_FILE), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new UsageError(`cannot read ${path.join(root, IGNORE_FILE)} (${(error as NodeJS.ErrnoException).code})`);
  }
}

interface ContextEntry {
  rel: string;
  type: 'file' | 'directory' | 'symlink';
  mode: number;
  size: number;
  linkname?: string;
}

async function walk(root: string, rel: string, rules: readonly IgnoreRule[]): Promise<ContextEntry[]> {
  const found: ContextEntry[] = [];
  const names = (await readdir(path.join(root, rel))).sort();
  for (const name of names) {
    const child = rel === '' ? name : `${rel}/${name}`;
    const stats = await lstat(path.join(root, child));
    if (name === '.git' || isIgnored(rules, child, stats.isDirectory())) continue;
    const mode = stats.mode & 0o777;
    if (stats.isDirectory()) {
      found.push({ rel: child, type: 'directory', mode, size: 0 }, ...(await walk(root, child, rules)));
    } else if (stats.isFile()) {
      found.push({ rel: child, type: 'file', mode, size: stats.size });
    } else if (stats.isSymbolicLink()) {
      found.push({ rel: child, type: 'symlink', mode, size: 0, linkname: await insideLink(root, child) });
    } else {
      throw new UsageError(`${path.join(root, child)} is not a file, folder or link; leave it out with ${IGNORE_FILE}`);
    }
  }
  return found;
}

/** A link's target, when it stays inside the context (else the run would see something else, or nothing). */
async function insideLink(root: string, rel: string): Promise<string> {
  const target = await readlink(path.join(root, rel));
  const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(rel), target));
  if (path.posix.isAbsolute(target) || resolved === '..' || resolved.startsWith('../')) {
    throw badInput(`the link ${path.join(root, rel)} points outside the context (${target})`, {
      hint: `name a wider --context, replace the link by what it points to, or leave it out with ${IGNORE_FILE}`,
    });
  }
  return target;
}

async function pack(root: string, entries: readonly ContextEntry[], prefix: string): Promise<Buffer> {
  const total = entries.reduce((sum, e) => sum + e.size, 0);
  if (total > MAX_CONTEXT_BYTES) {
    throw badInput(`the context ${root} holds ${(total / 1e6).toFixed(0)} MB`, {
      hint: `leave out what the playbook does not need with ${IGNORE_FILE}, or name a narrower --context`,
    });
  }
  const tar = tarStream.pack();
  const header = { uid: 0, gid: 0, mtime: new Date(0) };
  const parts = prefix.split('/').filter(Boolean);
  for (let i = 1; i <= parts.length; i++) {
    tar.entry({ ...header, name: `${parts.slice(0, i).join('/')}/`, type: 'directory', mode: 0o755 });
  }
  const at = (rel: string) => `${parts.join('/')}/${rel}`;
  for (const e of entries) {
    if (e.type === 'file')
      tar.entry({ ...header, name: at(e.rel), mode: e.mode }, await readFile(path.join(root, e.rel)));
    else if (e.type === 'directory') tar.entry({ ...header, name: `${at(e.rel)}/`, type: 'directory', mode: e.mode });
    else tar.entry({ ...header, name: at(e.rel), type: 'symlink', linkname: e.linkname, mode: 0o777 });
  }
  tar.finalize();
  return buffer(tar);
}

/** Bad input with a hint (exit 2, as a UsageError). */
function badInput(message: string, options: { hint: string }): DappdepsError {
  return new DappdepsError(message, { exitCode: 2, hint: options.hint });
}
