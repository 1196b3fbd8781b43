import type { DockerClient } from '../docker/docker-client.js';
import { DappdepsError, NotBuiltError } from '../errors.js';
import { labels } from '../labels.js';
import type { Distro, ImageModel } from '../manifest/model.js';

/**
 * The SPDX document a built binary image carries in its prefix (the `io.dappdeps.sbom` label says where), read
 * from a created, never started, container of the image.
 */
export async function imageSbom(
  docker: Pick<DockerClient, 'images' | 'containers'>,
  distro: Distro,
  image: ImageModel,
): Promise<string> {
  const tag = distro.index.tag(image, 'binary');
  const info = await docker.images.inspect(tag);
  if (!info) throw new NotBuiltError([{ name: image.name, tag }], 'binary');
  const file = info.labels[labels.sbom];
  if (!file)
    throw new DappdepsError(`${tag} has no ${labels.sbom} label: it was built before images carried an SBOM`, {
      hint: `run \`dappdeps build ${image.name}\` to build it again`,
    });
  const id = await docker.containers.create({
    name: `dappdeps-sbom-${image.name}-${process.pid}-${Date.now()}`,
    image: tag,
    cmd: ['no-such-cmd'],
    env: [],
    volumesFrom: [],
    binds: [],
    tmpfs: {},
    network: 'none',
    labels: { [labels.run]: 'true' },
  });
  try {
    const body = await docker.containers.readFile(id, file);
    if (!body) throw new DappdepsError(`${tag}: ${file} (its ${labels.sbom} label) is not in the image`);
    return body.toString('utf8');
  } finally {
    await docker.containers.remove(id);
  }
}
