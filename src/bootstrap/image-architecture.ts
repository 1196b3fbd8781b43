import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DockerClient } from '../docker/docker-client.js';
import { type Image, imageOf, readImageToDisk } from '../image/image.js';
import { editConfig } from '../image/image-mutations.js';
import { engineLoader, loadImage } from '../image/load-image.js';
import type { Architecture } from '../manifest/architectures.js';

/**
 * Gives the image `from` the configuration of `arch` and tags the result `to` (then removes `from`, a temporary name).
 * Docker 20.10 writes the engine's own architecture into what `docker import` makes and into every classic
 * build whose last stage is `FROM scratch`, whatever `--platform` says; an arm64 image that says amd64 is refused
 * as a base (`--platform linux/arm64`) and misleads every puller. The layers are kept byte for byte: only the
 * config's `architecture` and `variant` change, so the image gets a new id.
 */
export async function setImageArchitecture(
  docker: Pick<DockerClient, 'images'>,
  from: string,
  to: string,
  arch: Architecture,
  signal?: AbortSignal,
): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-arch-'));
  try {
    const saved = await savedImage(docker, from, dir);
    const image = editConfig(saved, ({ variant: _variant, ...config }) => ({
      ...config,
      architecture: arch.dockerArch,
      ...(arch.dockerVariant !== undefined && { variant: arch.dockerVariant }),
    }));
    const id = await loadImage(engineLoader(docker), image, { tag: to, what: `${to} as ${arch.debian}`, signal });
    if (from !== to) await docker.images.remove(from);
    return id;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** dockerd 20.10 cannot save an image without layers (`empty export`): its config is written from its details. */
async function savedImage(docker: Pick<DockerClient, 'images'>, ref: string, dir: string): Promise<Image> {
  const details = await docker.images.inspect(ref);
  if (details && details.diffIds.length === 0) {
    return imageOf({ os: 'linux', config: details.config, rootfs: { type: 'layers', diff_ids: [] } }, []);
  }
  return readImageToDisk(await docker.images.save(ref), dir);
}
