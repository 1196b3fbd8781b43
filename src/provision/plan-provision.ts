import type { ContainerSpec } from '../docker/types.js';
import { volumeContainerName, type Distro, type Strategy } from '../manifest/model.js';
import { mountFlags } from '../mounts/mount-flags.js';
import type { MountMode } from '../mounts/mount-mode.js';
import type { PreparedMounts } from '../mounts/prepare-mounts.js';
import { mountSources } from '../mounts/mount-sources.js';
import type { RunConfig } from './config-changes.js';
import type { ProjectContext } from './project-context.js';
import type { ProjectSetup } from './project-setup.js';
import { runSpec, workPaths, type WorkPaths } from './run-spec.js';
import type { Survey } from './survey-engine.js';

/** Everything a run needs, decided before any container exists. */
export interface ProvisionPlan {
  spec: ContainerSpec;
  /** The project folder, packed: unpacked at `/` of the created container. */
  context: Buffer;
  network: string;
  mode: MountMode;
  paths: WorkPaths;
  source: { ref: string; id: string; size: number; diffIds: string[]; config: RunConfig };
  /** Where ansible-core's release.py is read from: the ansible volume container, or the run's own container. */
  versionFrom: { volumeContainer?: string; file: string };
  /** `docker run` flags that mount the dappdeps images again, for the commands printed on a kept failure. */
  debugMounts: string;
  /** The base image's bash, for those commands. */
  debugShell: string;
}

export interface PlanRequest {
  name: string;
  from: string;
  context: ProjectContext;
  setup: ProjectSetup;
  /** `--extra-vars` arguments as ansible-playbook gets them. */
  extraVars: string[];
  tags: readonly string[];
  skipTags: readonly string[];
  network: string;
  strategy: Strategy;
  /** Which Python runs the modules (see ProvisionOptions.python). */
  python: 'prefix' | 'target';
}

/** The run's container and what the later phases need to know of it. Pure. */
export function planProvision(
  distro: Distro,
  request: PlanRequest,
  survey: Survey,
  mounts: PreparedMounts,
): ProvisionPlan {
  const ansible = distro.index.image('ansible');
  const paths = workPaths(distro);
  const { network } = request;
  const { source, mode } = survey;
  const spec = runSpec({
    name: request.name,
    image: source.id,
    ansiblePrefix: ansible.prefix,
    shell: `${distro.index.image('base').prefix}/bin/bash`,
    playbook: request.context.playbook,
    setup: request.setup,
    paths,
    extraVars: request.extraVars,
    tags: [...request.tags],
    skipTags: [...request.skipTags],
    network,
    python: request.python,
    mounts,
  });
  const sources = mountSources(distro, [ansible], request.strategy);
  return {
    spec,
    context: request.context.tar,
    network,
    mode,
    paths,
    source: { ...source, ref: request.from, config: source.config },
    versionFrom: {
      volumeContainer: mode === 'volumes-from' ? volumeContainerName(distro, ansible) : undefined,
      file: `${ansible.prefix}/lib/python3/dist-packages/ansible/release.py`,
    },
    debugMounts: mountFlags(sources, mode === 'image' ? 'docker-run' : 'volumes-from'),
    debugShell: `${distro.index.image('base').prefix}/bin/bash`,
  };
}
