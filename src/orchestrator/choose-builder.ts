import type { Builder, EngineVersion } from '../docker/types.js';

/** `--builder`: `auto` takes BuildKit where the engine has it. */
export const builderOptions = ['auto', 'classic', 'buildkit'] as const;
export type BuilderOption = (typeof builderOptions)[number];

/** dockerd has built with BuildKit through the API (`version=2`) since 18.09, Engine API 1.39. */
const BUILDKIT_API = { major: 1, minor: 39 };

/**
 * The builder `requested` means on `engine`: `auto` is BuildKit on Podman (Buildah has `RUN --mount` in its
 * one Dockerfile builder) and on dockerd from API 1.39, else classic. An explicit choice is kept: an engine
 * without BuildKit then fails the build with its own message.
 */
export function chooseBuilder(requested: BuilderOption, engine: EngineVersion): Builder {
  if (requested !== 'auto') return requested;
  if (engine.product === 'podman') return 'buildkit';
  const version = /^(\d+)\.(\d+)$/.exec(engine.apiVersion.trim());
  if (!version) return 'classic';
  const [major, minor] = [Number(version[1]), Number(version[2])];
  return major > BUILDKIT_API.major || (major === BUILDKIT_API.major && minor >= BUILDKIT_API.minor)
    ? 'buildkit'
    : 'classic';
}
