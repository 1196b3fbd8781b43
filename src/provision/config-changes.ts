import { UsageError } from '../errors.js';
import type { RunConfig } from '../image/image-config.js';

export type { RunConfig };

/** Changes to the result's configuration (as Packer's `changes` or `docker commit --change`). */
export interface ConfigChanges {
  labels?: Record<string, string>;
  /** `KEY=value`: replaces the image's value of KEY, or adds it. */
  env?: string[];
  cmd?: string[];
  entrypoint?: string[];
  workdir?: string;
  user?: string;
}

/**
 * A command as Dockerfile's CMD and ENTRYPOINT take it: a JSON array of strings is the exec form, anything
 * else the shell form (`/bin/sh -c <text>`); `[]` clears it.
 */
export function parseCommand(text: string, option: string): string[] {
  if (!text.trimStart().startsWith('[')) return ['/bin/sh', '-c', text];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`${option}: ${JSON.stringify(text)} starts like a JSON array but is not valid JSON`);
  }
  if (!Array.isArray(parsed) || !parsed.every((w) => typeof w === 'string')) {
    throw new UsageError(`${option}: a JSON array must hold strings only`);
  }
  return parsed;
}

/** `KEY=value` pairs (the value may be empty, the key may not). */
export function parsePairs(pairs: readonly string[], option: string): Array<[string, string]> {
  return pairs.map((pair) => {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`${option}: expected KEY=value, got ${JSON.stringify(pair)}`);
    return [pair.slice(0, eq), pair.slice(eq + 1)];
  });
}

/** The source image's configuration with the changes applied; fields not changed are kept exactly. */
export function applyChanges(config: RunConfig, changes: ConfigChanges): RunConfig {
  const result: RunConfig = { ...config };
  if (changes.env?.length) {
    const env = [...(config.Env ?? [])];
    for (const [key] of parsePairs(changes.env, '--env')) {
      const at = env.findIndex((e) => e.split('=', 1)[0] === key);
      const pair = changes.env.findLast((e) => e.startsWith(`${key}=`)) ?? '';
      if (at === -1) env.push(pair);
      else env[at] = pair;
    }
    result.Env = env;
  }
  if (changes.labels && Object.keys(changes.labels).length > 0)
    result.Labels = { ...(config.Labels ?? {}), ...changes.labels };
  if (changes.cmd) result.Cmd = changes.cmd.length > 0 ? changes.cmd : null;
  if (changes.entrypoint) result.Entrypoint = changes.entrypoint.length > 0 ? changes.entrypoint : null;
  if (changes.workdir !== undefined) result.WorkingDir = changes.workdir;
  if (changes.user !== undefined) result.User = changes.user;
  return result;
}
