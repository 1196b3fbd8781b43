import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DockerClient } from '../docker/docker-client.js';
import { UsageError } from '../errors.js';
import type { Distro, Strategy } from '../manifest/model.js';
import type { MountMode, MountModeOption } from '../mounts/mount-mode.js';
import { runConfigOf, type ConfigChanges, type RunConfig } from './config-changes.js';
import { loadResult } from './load-result.js';
import { planProvision, type ProvisionPlan } from './plan-provision.js';
import { extraVarsArgs, readPlaybook, type PlaybookInput } from './playbook-input.js';
import { provenanceLabels } from './provenance.js';
import { provisionEngine, type ProvisionEngine } from './provision-engine.js';
import { createdBy, rewriteImage, type RewrittenImage } from './rewrite-image.js';
import { runPlaybook } from './run-playbook.js';
import { saveToDisk } from './saved-image.js';
import { surveyEngine, type Survey } from './survey-engine.js';

export interface ProvisionOptions {
  /** The playbook file; its folder is mounted read-only beside it. */
  playbook: string;
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

export interface ProvisionResult {
  tag: string;
  id: string;
  from: { ref: string; id: string; size: number };
  /** The result image's size (the source's plus the new layer). */
  size: number;
  /** The one new layer, after the run's residue was removed. */
  layer: { diffId: string; bytes: number; entries: number; removed: string[] };
  network: string;
  /** How the dappdeps images were mounted. */
  mountMode: MountMode;
  labels: Record<string, string>;
  config: RunConfig;
}

/** What provision reads on this machine, checked before the engine is asked anything. */
export interface ProvisionInputs {
  playbook: PlaybookInput;
  /** `--extra-vars` arguments as ansible-playbook gets them. */
  extraVars: string[];
}

/** `name[:tag]` as docker accepts it (lowercase path components, optional registry port, optional tag). */
const REFERENCE =
  /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?$/;

/** Reads and checks the local inputs (bad input is a UsageError, before any engine call). */
export async function readInputs(
  options: Pick<ProvisionOptions, 'playbook' | 'tag' | 'extraVars'>,
): Promise<ProvisionInputs> {
  if (!REFERENCE.test(options.tag)) throw new UsageError(`--tag ${options.tag}: not an image name[:tag]`);
  return { playbook: await readPlaybook(options.playbook), extraVars: await extraVarsArgs(options.extraVars ?? []) };
}

/**
 * Runs the playbook with ansible-playbook from the ansible image (its run-time dependencies mounted
 * read-only beside it) in a container of `from`, against localhost with the local connection, then commits
 * it and rewrites the commit: `from`'s layers unchanged plus one layer with exactly the playbook's changes
 * (nothing under the dappdeps root, no Ansible leftovers, no directory only the run needed, package managers'
 * download caches as `from` had them unless `keepCaches`), and `from`'s configuration with the requested
 * changes and provenance labels. The result is checked before `tag` is created or moved; on any failure nothing
 * is tagged and the container and temporary images are removed. `inputs`, when the caller has read them already.
 */
export async function provisionImage(
  docker: DockerClient,
  distro: Distro,
  options: ProvisionOptions,
  inputs?: ProvisionInputs,
): Promise<ProvisionResult> {
  return provisionWith(provisionEngine(docker, distro), distro, options, inputs ?? (await readInputs(options)));
}

/** The phases in order — survey, plan, run, rewrite, load — on any engine behind the port. */
export async function provisionWith(
  engine: ProvisionEngine,
  distro: Distro,
  options: ProvisionOptions,
  inputs: ProvisionInputs,
): Promise<ProvisionResult> {
  const step = options.onStep ?? (() => undefined);
  const strategy = options.strategy ?? 'binary';
  const survey = await surveyEngine(engine, distro, {
    from: options.from,
    strategy,
    mountMode: options.mountMode ?? 'auto',
    step,
  });
  const plan = planProvision(
    distro,
    {
      name: `dappdeps-provision-${randomBytes(6).toString('hex')}`,
      from: options.from,
      playbook: inputs.playbook,
      extraVars: inputs.extraVars,
      tags: options.tags ?? [],
      skipTags: options.skipTags ?? [],
      network: options.network,
      strategy,
    },
    survey,
  );
  step(`running ${path.basename(inputs.playbook.file)} in ${options.from} (network ${plan.network})`);
  const run = await runPlaybook(engine, plan, { ...options });
  const work = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-provision-'));
  try {
    step('rewriting the new layer (removing mount points, Ansible leftovers and package caches)');
    const labels = provenanceLabels({
      playbookSha256: inputs.playbook.sha256,
      ansibleVersion: run.ansibleVersion,
      deps: survey.deps,
      from: { ref: options.from, id: survey.source.id },
    });
    const rewritten = await rewriteImage(await saveToDisk(await engine.images.save(run.committed), work), {
      source: plan.source,
      root: plan.paths.root,
      product: survey.engine.product,
      keepCaches: options.keepCaches ?? false,
      changes: { ...options.changes, labels: { ...options.changes?.labels, ...labels } },
      createdBy: createdBy(inputs.playbook.file, inputs.playbook.sha256),
      layerFile: path.join(work, 'layer.tar'),
    });
    step(`loading the result and tagging it ${options.tag}`);
    const id = await loadResult(engine, rewritten, options.tag, options.signal);
    return await describe(engine, { id, tag: options.tag, plan, survey, rewritten, labels });
  } finally {
    await engine.images.remove(run.committed);
    await rm(work, { recursive: true, force: true });
  }
}

interface Outcome {
  id: string;
  tag: string;
  plan: ProvisionPlan;
  survey: Survey;
  rewritten: RewrittenImage;
  labels: Record<string, string>;
}

async function describe(engine: ProvisionEngine, o: Outcome): Promise<ProvisionResult> {
  const result = await engine.images.details(o.id);
  return {
    tag: o.tag,
    id: o.id,
    from: { ref: o.plan.source.ref, id: o.survey.source.id, size: o.survey.source.size },
    size: result?.size ?? 0,
    layer: o.rewritten.layer,
    network: o.plan.network,
    mountMode: o.plan.mode,
    labels: o.labels,
    config: runConfigOf(result?.config ?? {}),
  };
}
