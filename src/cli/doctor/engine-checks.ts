import type { DockerClient } from '../../docker/docker-client.js';
import type { EngineVersion } from '../../docker/types.js';
import type { Distro } from '../../manifest/model.js';
import { hasImageMounts, IMAGE_MOUNTS_API } from '../../mounts/mount-mode.js';
import { chooseBuilder } from '../../orchestrator/choose-builder.js';
import { chooseRegistry } from '../../publish/registry.js';
import type { Check } from './doctor-report.js';

export const ENGINE_FIX =
  "run `dappdeps doctor --fix` as root (installs Debian's docker.io and starts dockerd), or set DOCKER_HOST to an engine that answers";

/** The engine answers, and which it is. */
export async function engineCheck(
  open: () => Promise<DockerClient>,
): Promise<{ check: Check; docker?: DockerClient; version?: EngineVersion }> {
  try {
    const docker = await open();
    const version = await docker.engine.version();
    const detail = `${version.product} ${version.version} (API ${version.apiVersion}, ${version.arch}) at ${docker.address}`;
    return { check: { name: 'engine', status: 'ok', detail }, docker, version };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { check: { name: 'engine', status: 'missing', detail, fix: ENGINE_FIX } };
  }
}

/** What an engine-dependent check says when there is no engine to ask. */
export const unchecked = (name: string, neededBy?: string): Check => ({
  name,
  status: 'unchecked',
  detail: 'no engine to ask',
  ...(neededBy ? { neededBy } : {}),
});

export function buildkitCheck(version: EngineVersion): Check {
  const neededBy = 'build --builder buildkit (auto falls back to the classic builder)';
  return chooseBuilder('auto', version) === 'buildkit'
    ? { name: 'BuildKit', status: 'ok', detail: 'build --builder auto takes BuildKit (RUN --mount)', neededBy }
    : {
        name: 'BuildKit',
        status: 'missing',
        detail: `API ${version.apiVersion} has no BuildKit builds: dependencies are extracted into build contexts`,
        neededBy,
        fix: 'Docker 18.09 (API 1.39) or later, or Podman',
      };
}

export function imageMountsCheck(version: EngineVersion): Check {
  const neededBy = '--mount-mode image (auto uses volume containers without it)';
  if (version.product === 'docker' && hasImageMounts(version.apiVersion))
    return { name: 'image mounts', status: 'ok', detail: 'run and provision mount the images themselves', neededBy };
  return {
    name: 'image mounts',
    status: 'missing',
    detail:
      version.product === 'podman'
        ? 'Podman mounts images only whole: prefixes are mounted from volume containers'
        : `API ${version.apiVersion} < ${IMAGE_MOUNTS_API}: prefixes are mounted from volume containers`,
    neededBy,
    fix: 'Docker 28 (API 1.48) or later',
  };
}

/** provision's default network: `bridge` where the engine has one, else `host`. */
export async function networkCheck(docker: DockerClient, version: EngineVersion): Promise<Check> {
  const neededBy = 'provision --network bridge (the default falls back to host)';
  if (version.product === 'podman')
    return { name: 'default network', status: 'ok', detail: "Podman's default network", neededBy };
  return (await docker.engine.hasNetwork('bridge'))
    ? { name: 'default network', status: 'ok', detail: 'bridge: provision runs playbooks there', neededBy }
    : {
        name: 'default network',
        status: 'missing',
        detail: 'no bridge network: provision runs playbooks with --network host',
        neededBy,
        fix: 'start dockerd with its bridge (the default), or keep host',
      };
}

/** The binary build's base image, which build bootstraps itself when debootstrap is there. */
export async function baseImageCheck(docker: DockerClient, distro: Distro, debootstrap: boolean): Promise<Check> {
  const base = distro.settings.binary.baseImage;
  const name = 'base image';
  if (await docker.images.inspect(base)) return { name, status: 'ok', detail: `${base} is in the engine` };
  const fix = `run \`dappdeps bootstrap ${base}\` as root (debootstrap from Debian's mirror, about a minute)`;
  return debootstrap
    ? {
        name,
        status: 'missing',
        detail: `no ${base}; build bootstraps it (debootstrap is installed)`,
        neededBy: 'build',
        fix,
      }
    : {
        name,
        status: 'missing',
        detail: `no ${base}, and no debootstrap to make it`,
        fix: `apt-get install debootstrap, then ${fix}`,
      };
}

/** Which of the distro's binary images are built. */
export async function distroImagesCheck(docker: DockerClient, distro: Distro): Promise<Check> {
  const images = distro.images.filter((i) => i.manifest.binary !== undefined);
  const built = await Promise.all(
    images.map(async (i) => (await docker.images.inspect(distro.index.tag(i, 'binary'))) !== undefined),
  );
  const yes = images.filter((_, n) => built[n]).map((i) => i.name);
  const no = images.filter((_, n) => !built[n]).map((i) => i.name);
  const detail = `built: ${yes.join(', ') || 'none'}${no.length ? `; not built: ${no.join(', ')}` : ''}`;
  return no.length === 0
    ? { name: 'distro images', status: 'ok', detail }
    : {
        name: 'distro images',
        status: 'missing',
        detail,
        neededBy: 'provision, run, volumes, verify',
        fix: `run \`dappdeps build${no.length < images.length ? ` ${no.join(' ')}` : ''}\``,
      };
}

/** push and pull's registry: configured, and answering `/v2/`. */
export async function registryCheck(distro: Distro): Promise<Check> {
  const name = 'registry';
  const neededBy = 'push, pull';
  let registry: string;
  try {
    registry = chooseRegistry(distro, undefined);
  } catch {
    const fix = 'set DAPPDEPS_REGISTRY=HOST:PORT, add registry: to distro.yaml, or give push/pull --registry';
    return { name, status: 'missing', detail: 'none configured', neededBy, fix };
  }
  const answer = await fetch(`http://${registry}/v2/`, { signal: AbortSignal.timeout(3000) }).then(
    (r) => r.status,
    (e: unknown) => (e instanceof Error ? e.message : String(e)),
  );
  return answer === 200 || answer === 401
    ? { name, status: 'ok', detail: `${registry} answers`, neededBy }
    : {
        name,
        status: 'missing',
        detail: `${registry} does not answer /v2/ (${answer})`,
        neededBy,
        fix: 'start it, or point DAPPDEPS_REGISTRY elsewhere',
      };
}
