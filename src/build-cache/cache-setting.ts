import { UsageError } from '../errors.js';
import { cacheRepository } from '../manifest/patterns.js';
import type { Distro } from '../manifest/model.js';

/** The variables that point `build` at a shared cache without editing distro.yaml (as CI jobs do). */
export const CACHE_ENV = 'DAPPDEPS_CACHE';
export const CACHE_PUSH_ENV = 'DAPPDEPS_CACHE_PUSH';

export interface CacheSetting {
  /** `HOST[:PORT]/REPOSITORY`. */
  repository: string;
  push: boolean;
}

/**
 * The build cache to use: --cache, else DAPPDEPS_CACHE, else distro.yaml's `cache:`; none when none is set. Pushing
 * is on unless --no-cache-push, DAPPDEPS_CACHE_PUSH=0|false|no, or distro.yaml's `push: false` turns it off.
 */
export function chooseCache(
  distro: Distro,
  option: { cache?: string | undefined; push?: boolean | undefined },
  env: NodeJS.ProcessEnv = process.env,
): CacheSetting | undefined {
  const [value, from] =
    option.cache !== undefined
      ? [option.cache, '--cache']
      : env[CACHE_ENV]
        ? [env[CACHE_ENV], CACHE_ENV]
        : [distro.settings.cache?.repository, 'distro.yaml'];
  if (value === undefined) return undefined;
  const checked = cacheRepository.safeParse(value);
  if (!checked.success) throw new UsageError(`${from}: ${checked.error.issues[0]?.message ?? 'not a repository'}`);
  const envPush = env[CACHE_PUSH_ENV];
  const push =
    option.push === false
      ? false
      : envPush !== undefined && envPush !== ''
        ? !/^(0|false|no|off)$/i.test(envPush)
        : (distro.settings.cache?.push ?? true);
  return { repository: value, push };
}
