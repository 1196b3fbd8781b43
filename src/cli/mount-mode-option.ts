import { Option } from 'commander';
import type { DockerClient } from '../docker/docker-client.js';
import type { Distro, ImageModel, Strategy } from '../manifest/model.js';
import { mountModeOptions, type MountModeOption } from '../mounts/mount-mode.js';
import type { PreparedMounts } from '../mounts/prepare-mounts.js';
import type { Output } from '../ui/output.js';

export const mountModeOption = () =>
  new Option(
    '--mount-mode <mode>',
    'image: mount the images themselves (Engine API >= 1.48, Docker 28); volumes-from: volume containers; ' +
      'auto: image where the engine has it',
  )
    .choices(mountModeOptions)
    .default('auto');

/**
 * The mounts for `images` in the mode asked for, on this engine: asks the engine's API version, and says
 * on stderr when image mounts were asked for but the engine lacks them (volume containers are used then).
 */
export async function openMounts(
  docker: DockerClient,
  distro: Distro,
  images: readonly ImageModel[],
  options: { mountMode: MountModeOption; strategy: Strategy },
  output: Output,
): Promise<PreparedMounts> {
  const { chooseMountMode } = await import('../mounts/mount-mode.js');
  const { prepareMounts } = await import('../mounts/prepare-mounts.js');
  const { mode, notice } = chooseMountMode(options.mountMode, await docker.engine.version());
  if (notice) output.err(`dappdeps: ${notice}`);
  return prepareMounts(docker, distro, images, options.strategy, mode);
}
