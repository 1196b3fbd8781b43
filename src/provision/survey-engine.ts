import type { ImageDetails } from '../docker/types.js';
import type { EngineVersion } from '../docker/types.js';
import { DappdepsError } from '../errors.js';
import type { Distro, Strategy } from '../manifest/model.js';
import { chooseMountMode, type MountMode, type MountModeOption } from '../mounts/mount-mode.js';
import { smokeTargetOfImage } from '../verify/target-names.js';
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

/** `--pull`: as `docker run --pull`. */
export type PullPolicy = 'missing' | 'always' | 'never';

export interface SurveyRequest {
  from: string;
  pull: PullPolicy;
  strategy: Strategy;
  mountMode: MountModeOption;
  step: (text: string) => void;
}

/** `known`: the source as sourceImage found it already (not looked up or pulled again). */
export async function surveyEngine(
  engine: ProvisionEngine,
  distro: Distro,
  request: SurveyRequest,
  known?: ImageDetails,
): Promise<Survey> {
  const source = known ?? (await sourceImage(engine, request));
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

/** `--from` as the engine has it, pulled first where the policy says so. */
export async function sourceImage(engine: ProvisionEngine, request: SurveyRequest): Promise<Survey['source']> {
  const { from, pull } = request;
  let pulled: unknown;
  if (pull === 'always' || (pull === 'missing' && !(await engine.images.details(from)))) {
    request.step(`pulling ${from}`);
    pulled = await engine.images.pull(from).then(
      () => undefined,
      (error: unknown) => error,
    );
    if (pulled && pull === 'always') throw pulled;
  }
  const source = await engine.images.details(from);
  if (!source) throw missingImage(from, pull, pulled);
  return source;
}

/** Debian suites deb.debian.org serves (and `dappdeps bootstrap` can make offline from a mirror). */
const MIRROR_SUITES = ['bullseye', 'bookworm', 'trixie', 'forky', 'sid', 'oldstable', 'stable', 'testing', 'unstable'];

function missingImage(ref: string, pull: PullPolicy, pulled: unknown): DappdepsError {
  const suite = /^(?:docker\.io\/)?(?:library\/)?debian:([a-z]+)$/.exec(ref)?.[1];
  const why = pulled instanceof Error ? `, and pulling it failed: ${pulled.message.split('\n')[0] ?? ''}` : '';
  const target = smokeTargetOfImage(ref);
  const hint = target
    ? `make it: \`dappdeps targets ${target}\``
    : suite && MIRROR_SUITES.includes(suite)
      ? `make it without a registry: \`dappdeps bootstrap ${ref}\``
      : pull === 'never'
        ? 'pull, load or build it first, or drop --pull never'
        : 'load or build it first, or name an image a registry the engine reaches has';
  return new DappdepsError(`image ${ref} does not exist${why}`, { exitCode: 2, hint });
}
