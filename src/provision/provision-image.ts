import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { DockerClient } from '../docker/docker-client.js';
import { UsageError } from '../errors.js';
import type { Distro, Strategy } from '../manifest/model.js';
import type { MountMode, MountModeOption } from '../mounts/mount-mode.js';
import { labels } from '../labels.js';
import type { AnsibleChoice } from '../manifest/choose-ansible.js';
import type { ConfigChanges, RunConfig } from './config-changes.js';
import { planProvision } from './plan-provision.js';
import { extraVarsArgs, readPlaybook, type PlaybookInput } from './playbook-input.js';
import { readContext, type ProjectContext } from './project-context.js';
import { projectSetup, type ProjectSetup } from './project-setup.js';
import { provenanceLabels, provisionKey, type ProvisionKeyParts } from './provenance.js';
import { provisionEngine, type ProvisionEngine } from './provision-engine.js';
import { rewriteAndLoad } from './commit-path.js';
import type { RewrittenImage } from './rewrite-image.js';
import { workPaths } from './run-spec.js';
import { runPlaybook } from './run-playbook.js';
import { choiceLabel, selectAnsible, type AnsibleSelector } from './select-ansible.js';
import { sourceImage, surveyEngine, type PullPolicy, type Survey } from './survey-engine.js';

export interface ProvisionOptions {
  /** The playbook file. */
  playbook: string;
  /**
   * The project folder sent into the run (roles/, templates/, requirements.yml, ansible.cfg…); default: the
   * playbook's folder. `.git` and what `.dappdepsignore` lists are left out.
   */
  context?: string;
  /** The image to provision (IMAGE): its layers are kept, one layer is added. */
  from: string;
  /** The result's `name:tag`; created or moved only when everything succeeded. */
  tag: string;
  /** `--extra-vars` values: `key=value`, a JSON object or `@file`. */
  extraVars?: string[];
  tags?: string[];
  skipTags?: string[];
  /** `host`, `none` or a network's name; default: `bridge` where the engine has one, else `host`. */
  network?: string;
  changes?: ConfigChanges;
  /** Keep what the run put in package managers' download caches (apt's lists…): left as IMAGE had them otherwise. */
  keepCaches?: boolean;
  /** On a failing playbook, keep the container to look inside (its name is in the error). */
  keepFailed?: boolean;
  /**
   * Which Python runs the modules: `prefix` (default: the ansible image's own, works in any image), or `target`
   * (the image's own `python3`, found on PATH at each task, the prefix's only while the image has none: modules
   * that import libraries the playbook installed into the image, e.g. python3-psycopg2).
   */
  python?: PythonChoice;
  /**
   * Which suite's Ansible runs, chosen from `from`'s os-release (read without running it); absent: the distro's
   * own Ansible, and no os-release is read.
   */
  selectAnsible?: AnsibleSelector;
  /** Whether `from` is pulled first: `missing` (default) when the engine lacks it, `always`, or `never`. */
  pull?: PullPolicy;
  /** Run even when an image made from the same inputs exists (see provisionKey). */
  noCache?: boolean;
  /** Which build of the dappdeps images to mount (default: binary). */
  strategy?: Strategy;
  /**
   * How they are mounted: `image` mounts the images themselves (Engine API >= 1.48), `volumes-from` their
   * volume containers; `auto` (default) image mounts where the engine has them. Asking for `image` on an
   * engine without them falls back to volume containers, saying so through `onStep`.
   */
  mountMode?: MountModeOption;
  /** Ansible's output. */
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** One line per step, for progress. */
  onStep?: (text: string) => void;
  signal?: AbortSignal;
}

export type PythonChoice = 'prefix' | 'target';

export interface ProvisionResult {
  tag: string;
  id: string;
  /** Whether an image made from the same inputs was tagged instead of running the playbook. */
  cached: boolean;
  from: { ref: string; id: string; size: number };
  /** The result image's size (the source's plus the new layer). */
  size: number;
  /** The one new layer, after the run's residue was removed (not known of a cached result). */
  layer?: { diffId: string; bytes: number; entries: number; removed: string[] };
  network: string;
  /** How the dappdeps images were mounted. */
  mountMode: MountMode;
  labels: Record<string, string>;
  config: RunConfig;
}

/** What provision reads on this machine, checked before the engine is asked anything. */
export interface ProvisionInputs {
  playbook: PlaybookInput;
  context: ProjectContext;
  setup: ProjectSetup;
  /** `--extra-vars` arguments as ansible-playbook gets them. */
  extraVars: string[];
}

/** `name[:tag]` as docker accepts it (lowercase path components, optional registry port, optional tag). */
const REFERENCE =
  /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?$/;

/** Reads and checks the local inputs (bad input is a UsageError, before any engine call). */
export async function readInputs(
  distro: Distro,
  options: Pick<ProvisionOptions, 'playbook' | 'tag' | 'extraVars' | 'context'>,
): Promise<ProvisionInputs> {
  if (!REFERENCE.test(options.tag)) throw new UsageError(`--tag ${options.tag}: not an image name[:tag]`);
  const playbook = await readPlaybook(options.playbook);
  const dir = options.context ?? path.dirname(playbook.file);
  const context = await readContext(dir, playbook.file, workPaths(distro).context);
  return {
    playbook,
    context,
    setup: await projectSetup(context),
    extraVars: await extraVarsArgs(options.extraVars ?? []),
  };
}

/**
 * Runs the playbook with ansible-playbook from the ansible image (its run-time dependencies mounted
 * read-only beside it) in a container of `from`, against localhost with the local connection, then commits
 * it and rewrites the commit: `from`'s layers unchanged plus one layer with exactly the playbook's changes
 * (nothing under the dappdeps root, no Ansible leftovers, no directory only the run needed, package managers'
 * download caches as `from` had them unless `keepCaches`), and `from`'s configuration with the requested
 * changes and provenance labels. The result is checked before `tag` is created or moved; on any failure nothing
 * is tagged and the container and temporary images are removed. An image made from the same inputs (the same
 * cache key) is tagged instead, without running anything. `inputs`, when the caller has read them already.
 */
export async function provisionImage(
  docker: DockerClient,
  distro: Distro,
  options: ProvisionOptions,
  inputs?: ProvisionInputs,
): Promise<ProvisionResult> {
  return provisionWith(provisionEngine(docker), distro, options, inputs ?? (await readInputs(distro, options)));
}

/** The phases in order — survey, cache look-up, plan, run, rewrite, load — on any engine behind the port. */
export async function provisionWith(
  engine: ProvisionEngine,
  given: Distro,
  options: ProvisionOptions,
  inputs: ProvisionInputs,
): Promise<ProvisionResult> {
  const step = options.onStep ?? (() => undefined);
  const strategy = options.strategy ?? 'binary';
  const name = `dappdeps-provision-${randomBytes(6).toString('hex')}`;
  const request = {
    from: options.from,
    pull: options.pull ?? 'missing',
    strategy,
    mountMode: options.mountMode ?? 'auto',
    step,
  } as const;
  const source = await sourceImage(engine, request);
  const selected = await selectAnsible(engine, given, {
    image: source.id,
    name: `${name}-os-release`,
    select: options.selectAnsible,
    step,
  });
  const { distro, choice, osRelease } = selected;
  const survey = await surveyEngine(engine, distro, request, source);
  const network = options.network ?? (survey.bridge ? 'bridge' : 'host');
  const key = keyParts(options, inputs, survey, network, choice);
  if (!options.noCache) {
    const hit = await cachedResult(engine, provisionKey(key), options.tag);
    if (hit) return describe(engine, { ...hit, tag: options.tag, network, survey, cached: true });
  }
  const mounts = await engine.prepareMounts(distro, [distro.index.image('ansible')], strategy, survey.mode);
  const plan = planProvision(
    distro,
    {
      name,
      from: options.from,
      context: inputs.context,
      setup: inputs.setup,
      extraVars: inputs.extraVars,
      tags: options.tags ?? [],
      skipTags: options.skipTags ?? [],
      network,
      strategy,
      python: options.python ?? 'prefix',
    },
    survey,
    mounts,
  );
  step(`running ${inputs.context.playbook} in ${options.from} (network ${network})`);
  const run = await runPlaybook(engine, plan, { ...options });
  const provenance = {
    ...provenanceLabels(key, run.ansibleVersion),
    ...(choice ? { [labels.provisionAnsibleChoice]: choiceLabel(choice) } : {}),
    ...(osRelease !== undefined ? { [labels.provisionFromOsRelease]: osRelease } : {}),
  };
  try {
    step('rewriting the new layer (removing mount points, Ansible leftovers and package caches)');
    const { id, layer } = await rewriteAndLoad(engine, run.committed, plan, {
      ...options,
      changes: { ...options.changes, labels: { ...options.changes?.labels, ...provenance } },
      createdBy: `dappdeps provision ${inputs.context.playbook} (context sha256:${inputs.context.digest})`,
      product: survey.engine.product,
    });
    return await describe(engine, { id, layer, tag: options.tag, network, survey, cached: false });
  } finally {
    await engine.images.remove(run.committed);
  }
}

function keyParts(
  options: ProvisionOptions,
  inputs: ProvisionInputs,
  survey: Survey,
  network: string,
  choice: AnsibleChoice | undefined,
): ProvisionKeyParts {
  return {
    from: { ref: options.from, id: survey.source.id },
    deps: survey.deps,
    context: inputs.context.digest,
    playbook: inputs.context.playbook,
    extraVars: inputs.extraVars,
    tags: options.tags ?? [],
    skipTags: options.skipTags ?? [],
    options: {
      network,
      keepCaches: options.keepCaches ?? false,
      changes: withoutEmpty(options.changes ?? {}),
      python: options.python ?? 'prefix',
      ...(choice ? { ansible: `${choice.offer.core} (${choice.offer.suite})` } : {}),
    },
  };
}

/** An image made from the same inputs, tagged `tag` (nothing is created: no container, no image). */
async function cachedResult(engine: ProvisionEngine, key: string, tag: string): Promise<{ id: string } | undefined> {
  const [id] = await engine.images.withLabel(labels.provisionKey, key);
  if (!id) return undefined;
  await engine.images.tag(id, tag);
  return { id };
}

interface Outcome {
  id: string;
  tag: string;
  cached: boolean;
  network: string;
  survey: Survey;
  layer?: RewrittenImage['layer'];
}

async function describe(engine: ProvisionEngine, o: Outcome): Promise<ProvisionResult> {
  const result = await engine.images.details(o.id);
  const config = result?.config ?? {};
  return {
    tag: o.tag,
    id: o.id,
    cached: o.cached,
    from: { ref: o.survey.ref, id: o.survey.source.id, size: o.survey.source.size },
    size: result?.size ?? 0,
    layer: o.layer,
    network: o.network,
    mountMode: o.survey.mode,
    labels: Object.fromEntries(
      Object.entries(config.Labels ?? {}).filter(([k]) => k.startsWith('io.dappdeps.provision.')),
    ),
    config,
  };
}

/** The changes without an empty `env` or `labels`: none given and none asked make the same key (`cmd: []` clears). */
function withoutEmpty(changes: ConfigChanges): ConfigChanges {
  const { env, labels: added, ...rest } = changes;
  return {
    ...rest,
    ...(env && env.length > 0 ? { env } : {}),
    ...(added && Object.keys(added).length > 0 ? { labels: added } : {}),
  };
}
