import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import PQueue from 'p-queue';
import {
  createDockerClient,
  ensureVolumes,
  findImage,
  loadDistro,
  withRunDeps,
  type ImageModel,
} from '../../../src/index.js';
import { ensureSmokeTargets } from '../../../src/verify/smoke-targets.js';
import { compareRuns, type Comparison } from './compare.js';
import { ensureNativeImage } from './native-image.js';
import { runTarget, type Mode, type RunOutcome } from './run-target.js';
import { targets, type TargetSpec } from './selection.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const suiteDir = path.resolve(here, '../../ansible-targets');
const distroDir = path.resolve(here, '../../../distro');

export interface SuiteOptions {
  /** Target names to run, in this order (default: the whole selection). */
  only?: readonly string[];
  /** The busybox-marked targets to run in busybox too (default: all of them). */
  busybox?: readonly string[];
  /** The modes to run (default: all three); comparisons need the native one. */
  modes?: readonly ModeName[];
  /** The distro's suite whose Ansible runs relocated, compared with that Debian release's own (default: the default
   * suite, bookworm's 2.14; trixie: 2.19). */
  suite?: string;
  concurrency?: number;
  logDir: string;
  timeoutMs?: number;
  onOutcome?: (outcome: RunOutcome) => void;
}

export interface SuiteResult {
  modes: Mode[];
  outcomes: RunOutcome[];
  comparisons: Comparison[];
}

export const nativeMode = 'native';
export const modeNames = [nativeMode, 'relocated', 'relocated-busybox'] as const;
export type ModeName = (typeof modeNames)[number];

function selected(only: readonly string[] | undefined): TargetSpec[] {
  if (!only || only.length === 0) return [...targets];
  const unknown = only.filter((name) => !targets.some((t) => t.name === name));
  if (unknown.length > 0) throw new Error(`not in the selection: ${unknown.join(', ')}`);
  return only.flatMap((name) => targets.filter((t) => t.name === name));
}

function runsInBusybox(spec: TargetSpec, only: readonly string[] | undefined): boolean {
  return (spec.busybox ?? false) && (!only || only.includes(spec.name));
}

/**
 * Runs each selected target natively (Debian's ansible-core in the base image) and relocated (our ansible
 * image's prefix, with its run-time dependencies, mounted into the base image, and into the busybox image
 * for targets marked so), and compares each relocated run with the native one.
 */
export async function runSuite(options: SuiteOptions): Promise<SuiteResult> {
  const specs = selected(options.only);
  const wanted = options.modes ?? modeNames;
  const distro = await loadDistro(distroDir, options.suite);
  const client = createDockerClient();
  const baseImage = distro.settings.binary.baseImage;
  const modes: Mode[] = [];
  if (wanted.includes(nativeMode)) {
    modes.push({
      name: nativeMode,
      image: await ensureNativeImage(client, baseImage),
      ansibleBin: '/usr/bin',
      python: '/usr/bin/python3',
      env: [],
      volumesFrom: [],
    });
  }
  if (wanted.some((m) => m !== nativeMode)) {
    const ansible: ImageModel = findImage(distro, 'ansible');
    const volumes = await ensureVolumes(client, distro, withRunDeps(distro, [ansible]), 'binary');
    const relocated = {
      ansibleBin: `${ansible.prefix}/bin`,
      // the launcher the ansible image's own ANSIBLE_PYTHON_INTERPRETER names
      python: `${ansible.prefix}/bin/python3`,
      env: [],
      volumesFrom: volumes.map((v) => v.container),
    };
    if (wanted.includes('relocated')) modes.push({ name: 'relocated', image: baseImage, ...relocated });
    if (wanted.includes('relocated-busybox')) {
      const [busybox] = await ensureSmokeTargets(client, distro, new AbortController().signal);
      if (!busybox) throw new Error('no busybox target image');
      modes.push({ name: 'relocated-busybox', image: busybox.image, ...relocated });
    }
  }

  const docker = new Docker();
  const queue = new PQueue({ concurrency: options.concurrency ?? 2 });
  const settings = {
    suiteDir,
    logDir: options.logDir,
    timeoutMs: options.timeoutMs ?? 900_000,
  };
  const runs = specs.flatMap((spec) =>
    modes
      .filter((mode) => mode.name !== 'relocated-busybox' || runsInBusybox(spec, options.busybox))
      .map((mode) =>
        queue.add(async () => {
          const outcome = await runTarget(docker, spec, mode, settings);
          options.onOutcome?.(outcome);
          return outcome;
        }),
      ),
  );
  const outcomes = await Promise.all(runs);
  return { modes, outcomes, comparisons: compareRuns(outcomes, nativeMode) };
}
