import type { ImageDetails } from '../docker/image-store-client.js';
import type { EngineVersion } from '../docker/types.js';
import { DappdepsError } from '../errors.js';
import type { Distro, Strategy } from '../manifest/model.js';
import { chooseMountMode, type MountMode, type MountModeOption } from '../mounts/mount-mode.js';
import type { ProvisionEngine } from './provision-engine.js';

/** What the engine says before anything is created: the source image, the engine, the images to mount, the networks. */
export interface Survey {
  /** The source image as named (`--from`), and what the engine has of it. */
  ref: string;
  source: ImageDetails;
  engine: EngineVersion;
  mode: MountMode;
  /** The dappdeps images mounted (the ansible image and its run-time closure), as tagged and by id. */
  deps: Array<{ ref: string; id: string }>;
  /** Whether a `bridge` network can be used (the default network when it can). */
  bridge: boolean;
}

export interface SurveyRequest {
  from: string;
  strategy: Strategy;
  mountMode: MountModeOption;
  step: (text: string) => void;
}

export async function surveyEngine(engine: ProvisionEngine, distro: Distro, request: SurveyRequest): Promise<Survey> {
  const source = await engine.images.details(request.from);
  if (!source) throw missingImage(request.from);
  const ansible = distro.index.image('ansible');
  const version = await engine.engine.version();
  const { mode, notice } = chooseMountMode(request.mountMode, version);
  if (notice) request.step(notice);
  const deps = await Promise.all(
    distro.index.withRunDeps([ansible]).map(async (image) => {
      const ref = distro.index.tag(image, request.strategy);
      return { ref, id: (await engine.images.details(ref))?.id ?? '' };
    }),
  );
  // Podman's compatible API lists a `bridge` it may have no plugins to set up (Debian's podman has none).
  const bridge = version.product === 'docker' && (await engine.engine.hasNetwork('bridge'));
  return { ref: request.from, source, engine: version, mode, deps, bridge };
}

function missingImage(ref: string): DappdepsError {
  const hint = /^debian:[a-z]+$/.test(ref)
    ? `make it without a registry: \`dappdeps bootstrap ${ref}\``
    : 'pull, load or build it first';
  return new DappdepsError(`image ${ref} does not exist`, { exitCode: 2, hint });
}
