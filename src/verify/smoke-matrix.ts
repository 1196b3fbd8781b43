import { ensureVolumes } from '../volumes/volume-containers.js';
import type { DockerClient } from '../docker/docker-client.js';
import { volumeContainerName, type Distro, type ImageModel, type Strategy } from '../manifest/model.js';
import type { SmokeCommand } from '../manifest/schema.js';
import { runCheck, type CheckRun } from './run-check.js';
import type { SmokeTarget } from './smoke-targets.js';

export interface SmokeResult extends CheckRun {
  image: string;
  target: string;
}

/** The command's argv in the container: the program by absolute path inside the prefix, `{prefix}` replaced. */
export function smokeArgv(image: ImageModel, command: SmokeCommand): string[] {
  const [program, ...args] = command.run;
  return [`${image.prefix}/${program}`, ...args.map((a) => a.replaceAll('{prefix}', image.prefix))];
}

/** The volume containers mounted for `image`: its own and those of its run-time closure. */
export function volumesFor(distro: Distro, images: readonly ImageModel[]): string[] {
  return distro.index.withRunDeps(images).map((i) => volumeContainerName(distro, i));
}

/**
 * Every smoke command of every image in every target, each image with only its run-time closure mounted,
 * so a missing `dependencies.run` entry shows up as a failure.
 */
export async function runSmokeMatrix(
  docker: DockerClient,
  distro: Distro,
  images: readonly ImageModel[],
  strategy: Strategy,
  targets: readonly SmokeTarget[],
  signal: AbortSignal,
): Promise<SmokeResult[]> {
  await ensureVolumes(docker, distro, distro.index.withRunDeps(images), strategy);
  const results: SmokeResult[] = [];
  // One at a time: containers start in well under a second, and parallel runs would only share two CPUs.
  for (const target of targets) {
    for (const image of images) {
      for (const command of image.manifest.smoke) {
        const run = await runCheck(docker, {
          image: target.image,
          argv: smokeArgv(image, command),
          volumesFrom: volumesFor(distro, [image]),
          run: target.run,
          ...(command.expect === undefined ? {} : { expect: command.expect }),
          signal,
        });
        results.push({ image: image.name, target: target.name, ...run });
      }
    }
  }
  return results;
}
