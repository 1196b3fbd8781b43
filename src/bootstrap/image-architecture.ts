import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DockerClient } from '../docker/docker-client.js';
import { DappdepsError } from '../errors.js';
import type { Architecture } from '../manifest/architectures.js';
import { loadArchive } from '../provision/load-archive.js';
import { saveToDisk } from '../provision/saved-image.js';

/**
 * Gives the image `from` the configuration of `arch` and tags the result `to` (then removes `from`, a temporary name).
 * Docker 20.10 writes the engine's own architecture into what `docker import` makes and into every classic
 * build whose last stage is `FROM scratch`, whatever `--platform` says; an arm64 image that says amd64 is refused
 * as a base (`--platform linux/arm64`) and misleads every puller. The layers are kept byte for byte: only the
 * config's `architecture` and `variant` change, so the image gets a new id.
 */
export async function setImageArchitecture(
  docker: Pick<DockerClient, 'images' | 'imageStore'>,
  from: string,
  to: string,
  arch: Architecture,
  signal?: AbortSignal,
): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-arch-'));
  try {
    // dockerd 20.10 cannot save an image without layers (`empty export`): its config is written from its details.
    const details = await docker.imageStore.details(from);
    const saved =
      details && details.diffIds.length === 0
        ? {
            config: Buffer.from(
              JSON.stringify({ os: 'linux', config: details.config, rootfs: { type: 'layers', diff_ids: [] } }),
            ),
            layers: [],
          }
        : await saveToDisk(await docker.images.save(from), dir);
    const config = JSON.parse(saved.config.toString('utf8')) as Record<string, unknown>;
    config.architecture = arch.dockerArch;
    if (arch.dockerVariant === undefined) delete config.variant;
    else config.variant = arch.dockerVariant;
    const bytes = Buffer.from(JSON.stringify(config));
    const id = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const loaded = await docker.imageStore.load(
      loadArchive(
        bytes,
        saved.layers.map((l) => l.file),
      ),
      signal,
    );
    if (!loaded.includes(id))
      throw new DappdepsError(`loading ${to} as ${arch.debian} gave ${loaded.join(', ') || 'nothing'}, not ${id}`);
    await docker.imageStore.tag(id, to);
    if (from !== to) await docker.images.remove(from);
    return id;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
