import path from 'node:path';
import type { WorkContainerSpec } from '../docker/work-container-client.js';
import type { Distro } from '../manifest/model.js';
import type { PreparedMounts } from '../mounts/prepare-mounts.js';
import type { PlaybookInput } from './playbook-input.js';
import { labels } from '../labels.js';

/** Where a provisioning run mounts what it brings; all of it under the dappdeps root, which the result never holds. */
export interface WorkPaths {
  /** The dappdeps root relative to `/` (`.dapp` for prefixes under `/.dapp/deps`). */
  root: string;
  /** The playbook's folder, read-only. */
  playbookDir: string;
  /** Ansible's temporary files and home: a tmpfs anyone can write (the image's USER may not be root). */
  tmp: string;
}

export function workPaths(distro: Distro): WorkPaths {
  const root = distro.settings.prefixRoot.split('/').find((s) => s !== '') ?? '.dapp';
  return { root, playbookDir: `/${root}/provision/playbook`, tmp: `/${root}/provision/tmp` };
}

export interface RunSpecInput {
  name: string;
  image: string;
  ansiblePrefix: string;
  playbook: PlaybookInput;
  paths: WorkPaths;
  extraVars: string[];
  tags: string[];
  skipTags: string[];
  network: string;
  /** The dappdeps images' mounts: volume containers, or the images themselves. */
  mounts: PreparedMounts;
}

/**
 * The container a playbook runs in: the image's own user, working folder and environment, plus Ansible's
 * temporary places moved into the tmpfs (so nothing of Ansible lands in a home or in /tmp, and an image
 * without a writable /tmp works). Arguments go to ansible-playbook as a list: no shell parses them.
 */
export function runSpec(input: RunSpecInput): WorkContainerSpec {
  const { paths, playbook } = input;
  const env = [
    `TMPDIR=${paths.tmp}`,
    `ANSIBLE_HOME=${paths.tmp}/ansible`,
    `ANSIBLE_LOCAL_TEMP=${paths.tmp}/local`,
    `ANSIBLE_REMOTE_TEMP=${paths.tmp}/remote`,
    // become to an unprivileged user: its temporary files in the tmpfs too, not in the image's /var/tmp
    `ANSIBLE_SYSTEM_TMPDIRS=${paths.tmp}`,
    'ANSIBLE_RETRY_FILES_ENABLED=false',
  ];
  if (playbook.hasConfig) env.push(`ANSIBLE_CONFIG=${paths.playbookDir}/ansible.cfg`);
  const cmd = [
    `${input.ansiblePrefix}/bin/ansible-playbook`,
    '--inventory',
    'localhost,',
    '--connection',
    'local',
    ...input.extraVars,
    ...(input.tags.length > 0 ? ['--tags', input.tags.join(',')] : []),
    ...(input.skipTags.length > 0 ? ['--skip-tags', input.skipTags.join(',')] : []),
    `${paths.playbookDir}/${path.basename(playbook.file)}`,
  ];
  return {
    name: input.name,
    image: input.image,
    cmd,
    env,
    volumesFrom: input.mounts.volumesFrom,
    imageMounts: input.mounts.imageMounts,
    binds: [`${playbook.dir}:${paths.playbookDir}:ro`],
    tmpfs: { [paths.tmp]: 'rw,exec,nosuid,nodev,mode=1777' },
    network: input.network,
    labels: { [labels.provisionRun]: 'true' },
  };
}
