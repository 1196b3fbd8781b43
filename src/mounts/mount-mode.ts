import type { EngineVersion } from '../docker/types.js';

/** How `run` (and `provision`) mount the prefixes; `auto` picks image mounts where the engine has them. */
export const mountModeOptions = ['auto', 'image', 'volumes-from'] as const;
export type MountModeOption = (typeof mountModeOptions)[number];
export type MountMode = Exclude<MountModeOption, 'auto'>;

/**
 * The first Engine API with `type: image` mounts (and their `Subpath`): Docker 28. Podman answers the API as
 * 1.41 (4.3) and its image mounts lack a subpath, so it is never taken for one with image mounts.
 */
const IMAGE_MOUNTS = { major: 1, minor: 48 };
export const IMAGE_MOUNTS_API = `${IMAGE_MOUNTS.major}.${IMAGE_MOUNTS.minor}`;

/** Whether an engine speaking API `apiVersion` (`major.minor`) mounts images; false for what it cannot read. */
export function hasImageMounts(apiVersion: string): boolean {
  const version = /^(\d+)\.(\d+)$/.exec(apiVersion.trim());
  if (!version) return false;
  const [major, minor] = [Number(version[1]), Number(version[2])];
  return major > IMAGE_MOUNTS.major || (major === IMAGE_MOUNTS.major && minor >= IMAGE_MOUNTS.minor);
}

/**
 * The mode to use on `engine`: image mounts when asked for (or `auto`) and the engine has them, else
 * volume containers. Asking for image mounts on an engine without them falls back, with a notice saying so.
 */
export function chooseMountMode(
  requested: MountModeOption,
  engine: EngineVersion,
): { mode: MountMode; notice?: string } {
  if (requested === 'volumes-from') return { mode: 'volumes-from' };
  if (engine.product === 'docker' && hasImageMounts(engine.apiVersion)) return { mode: 'image' };
  if (requested === 'auto') return { mode: 'volumes-from' };
  if (engine.product === 'podman') {
    return {
      mode: 'volumes-from',
      notice:
        `Podman ${engine.version} mounts images only whole (its image mounts have no subpath), and a prefix must ` +
        'sit at its own path, so the prefixes are mounted from volume containers (--volumes-from)',
    };
  }
  return {
    mode: 'volumes-from',
    notice:
      `image mounts need Engine API >= ${IMAGE_MOUNTS_API} (Docker 28); this engine (${engine.version}, API ` +
      `${engine.apiVersion}) has none, so the prefixes are mounted from volume containers (--volumes-from)`,
  };
}
