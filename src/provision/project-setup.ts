import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isSeq, parseDocument } from 'yaml';
import { UsageError } from '../errors.js';
import type { ProjectContext } from './project-context.js';

/** How the project is set up in the run, read from the context on this machine. */
export interface ProjectSetup {
  /** The ansible.cfg used (relative to the context): the context's own, else the playbook folder's. */
  config?: string;
  /** Requirement files (relative to the context) that list roles, and those that list collections. */
  roles: string[];
  collections: string[];
  /** `roles_path` and `collections_path` of that ansible.cfg, its relative entries made relative to the context. */
  configPaths: { roles?: string[]; collections?: string[] };
}

const NAMES = ['requirements.yml', 'requirements.yaml'];
const SUBFOLDERS = ['', 'roles/', 'collections/'];

/**
 * Finds the project's requirement files as ansible-galaxy users keep them — `requirements.yml` (a list of roles,
 * or `roles:` and `collections:`), `roles/requirements.yml`, `collections/requirements.yml` — in the context's
 * folder and in the playbook's, and its ansible.cfg.
 */
export async function projectSetup(context: ProjectContext): Promise<ProjectSetup> {
  const playbookDir = path.posix.dirname(context.playbook);
  const bases = [...new Set(['', playbookDir === '.' ? '' : `${playbookDir}/`])];
  const present = new Set(context.paths);
  const setup: ProjectSetup = { roles: [], collections: [], configPaths: {} };
  for (const base of bases) {
    for (const rel of SUBFOLDERS.flatMap((sub) => NAMES.map((name) => `${base}${sub}${name}`))) {
      if (!present.has(rel)) continue;
      const kinds = await requirementKinds(path.join(context.dir, rel));
      if (kinds.roles) setup.roles.push(rel);
      if (kinds.collections) setup.collections.push(rel);
    }
  }
  setup.config = bases.map((base) => `${base}ansible.cfg`).find((rel) => present.has(rel));
  if (setup.config) setup.configPaths = await configPaths(context.dir, setup.config);
  return setup;
}

async function requirementKinds(file: string): Promise<{ roles: boolean; collections: boolean }> {
  const doc = parseDocument(await readFile(file, 'utf8'));
  const [problem] = doc.errors;
  if (problem) {
    const at = problem.linePos?.[0];
    throw new UsageError(`${file}:${at ? `${at.line}:${at.col}` : ''}: not valid YAML`);
  }
  if (doc.contents === null) return { roles: false, collections: false };
  if (isSeq(doc.contents)) return { roles: true, collections: false };
  if (isMap(doc.contents)) return { roles: doc.contents.has('roles'), collections: doc.contents.has('collections') };
  throw new UsageError(`${file}: not a requirements file: a list of roles, or a mapping with roles and collections`);
}

/** `roles_path` and `collections_path(s)` of the [defaults] section, split on `:`, relative to the context. */
async function configPaths(dir: string, config: string): Promise<ProjectSetup['configPaths']> {
  const text = await readFile(path.join(dir, config), 'utf8');
  const found: ProjectSetup['configPaths'] = {};
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const header = /^\[(.+)\]$/.exec(line);
    if (header) section = header[1] ?? '';
    const pair = /^([a-z_]+)\s*[=:]\s*(.*)$/.exec(line);
    if (section !== 'defaults' || !pair) continue;
    const entries = (pair[2] ?? '').split(':').filter(Boolean);
    const relative = entries.map((e) =>
      e.startsWith('/') || e.startsWith('~') || e.startsWith('$') ? e : path.posix.join(path.posix.dirname(config), e),
    );
    if (pair[1] === 'roles_path') found.roles = relative;
    if (pair[1] === 'collections_path' || pair[1] === 'collections_paths') found.collections = relative;
  }
  return found;
}
