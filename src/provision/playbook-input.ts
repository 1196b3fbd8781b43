import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isSeq, parseDocument } from 'yaml';
import { UsageError } from '../errors.js';

/** A playbook checked on the host before any container exists. */
export interface PlaybookInput {
  /** Absolute path of the playbook file (it is sent with its project folder, see readContext). */
  file: string;
}

/** Reads and parses the playbook: a missing, unreadable or non-YAML file, or one that is no list of plays, is bad input. */
export async function readPlaybook(file: string): Promise<PlaybookInput> {
  const abs = path.resolve(file);
  let text: Buffer;
  try {
    if ((await stat(abs)).isDirectory())
      throw new UsageError(`playbook ${file} is a directory; name the playbook file`);
    text = await readFile(abs);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable' : `cannot be read (${code})`;
    throw new UsageError(`playbook ${file} ${why}`);
  }
  const doc = parseDocument(text.toString('utf8'));
  const [problem] = doc.errors;
  if (problem) {
    const at = problem.linePos?.[0];
    const message = (problem.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:$/, '');
    throw new UsageError(`${file}:${at ? `${at.line}:${at.col}: ` : ' '}not valid YAML: ${message}`);
  }
  if (!isSeq(doc.contents) || doc.contents.items.length === 0 || !doc.contents.items.every((play) => isMap(play))) {
    throw new UsageError(`${file}: not a playbook: a playbook is a YAML list of plays (mappings)`);
  }
  return { file: abs };
}

/**
 * `-e` values as ansible-playbook gets them: `key=value` and JSON objects unchanged, `@file` read here (the
 * file is on this machine, not in the container) and passed as JSON. Each value is one argument: no shell.
 */
export async function extraVarsArgs(values: readonly string[]): Promise<string[]> {
  const args: string[] = [];
  for (const value of values) {
    args.push('--extra-vars', await extraVars(value));
  }
  return args;
}

async function extraVars(value: string): Promise<string> {
  if (value.startsWith('@')) {
    const file = value.slice(1);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new UsageError(`--extra-vars ${value}: cannot read ${file} (${(error as NodeJS.ErrnoException).code})`);
    }
    const doc = parseDocument(text);
    if (doc.errors.length > 0 || !isMap(doc.contents)) {
      throw new UsageError(`--extra-vars ${value}: ${file} is not a YAML or JSON mapping of variables`);
    }
    return JSON.stringify(doc.toJS());
  }
  if (value.trimStart().startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(value);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return value;
    } catch {
      // reported below
    }
    throw new UsageError(`--extra-vars: ${JSON.stringify(value)} is not a JSON object`);
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(value)) {
    throw new UsageError(`--extra-vars: expected key=value, a JSON object or @file, got ${JSON.stringify(value)}`);
  }
  return value;
}
