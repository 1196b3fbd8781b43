import type { ContainerSpec } from '../docker/types.js';
import type { Distro } from '../manifest/model.js';
import type { PreparedMounts } from '../mounts/prepare-mounts.js';
import { labels } from '../labels.js';
import type { ProjectSetup } from './project-setup.js';

/** Where a provisioning run puts what it brings; all of it under the dappdeps root, which the result never holds. */
export interface WorkPaths {
  /** The dappdeps root relative to `/` (`.dapp` for prefixes under `/.dapp/deps`). */
  root: string;
  /** The run's own folder (relative to `/`): the rewrite leaves it out of the result whole. */
  run: string;
  /** The project folder sent into the container (absolute). */
  context: string;
  /** Ansible's temporary files and home: a tmpfs anyone can write (the image's USER may not be root). */
  tmp: string;
}

export function workPaths(distro: Distro): WorkPaths {
  const root = distro.settings.prefixRoot.split('/').find((s) => s !== '') ?? '.dapp';
  const run = `${root}/provision`;
  return { root, run, context: `/${run}/context`, tmp: `/${run}/tmp` };
}

export interface RunSpecInput {
  name: string;
  image: string;
  ansiblePrefix: string;
  /** base's bash: PID 1 of the run, as a shell is in a container where Ansible is installed natively. */
  shell: string;
  /** The playbook, relative to the context. */
  playbook: string;
  setup: ProjectSetup;
  paths: WorkPaths;
  extraVars: string[];
  tags: string[];
  skipTags: string[];
  network: string;
  /** `target`: the modules run with the image's own python3 (the prefix's where the image has none yet). */
  python: 'prefix' | 'target';
  /** The dappdeps images' mounts: volume containers, or the images themselves. */
  mounts: PreparedMounts;
}

/**
 * Installs the requirements (each file with ansible-galaxy, from the context's folder, into Ansible's home in
 * the tmpfs), then runs the playbook. bash stays PID 1 — it does not exec the last command — so that Ansible
 * sees a shell there, as in a container where it is installed natively, and reports the same service manager.
 */
const SCRIPT = [
  'set -e',
  'galaxy=$1 context=$2 home=$3 fallback=$4; shift 4',
  // --python target: the interpreter is this wrapper, which takes the python3 on the task's PATH (the image's own)
  // and the prefix's only while the image has none; the tasks' PATH no longer holds the prefixes' bin folders.
  'if [ -n "$fallback" ]; then',
  `  printf '#!%s\\ncommand -v python3 >/dev/null 2>&1 && exec python3 "$@"\\nexec %s "$@"\\n' "$BASH" "$fallback" >"$TMPDIR/python3-target"`,
  '  chmod 0755 "$TMPDIR/python3-target"',
  'fi',
  'for kind in role collection; do',
  '  n=$1; shift',
  '  while [ "$n" -gt 0 ]; do',
  '    (cd "$context" && "$galaxy" "$kind" install -r "$1" -p "$home/${kind}s")',
  '    shift; n=$((n - 1))',
  '  done',
  'done',
  'set +e',
  '"$@"',
  'exit $?',
].join('\n');

/**
 * The container a playbook runs in: the image's own user, working folder and environment, plus Ansible's
 * temporary places moved into the tmpfs (so nothing of Ansible lands in a home or in /tmp, and an image
 * without a writable /tmp works). Arguments go to ansible-playbook as a list: no shell parses them. Nothing
 * of this machine is mounted: the project is copied in once the container exists.
 */
export function runSpec(input: RunSpecInput): ContainerSpec {
  const { paths, setup } = input;
  const home = `${paths.tmp}/ansible`;
  const env = [
    `TMPDIR=${paths.tmp}`,
    `ANSIBLE_HOME=${home}`,
    `ANSIBLE_LOCAL_TEMP=${paths.tmp}/local`,
    `ANSIBLE_REMOTE_TEMP=${paths.tmp}/remote`,
    // become to an unprivileged user: its temporary files in the tmpfs too, not in the image's /var/tmp
    `ANSIBLE_SYSTEM_TMPDIRS=${paths.tmp}`,
    'ANSIBLE_RETRY_FILES_ENABLED=false',
    ...searchPaths(input, home),
    // looked up at each task (discovery would keep what it found at the first): a python3 the play installed
    // serves the tasks after it
    ...(input.python === 'target' ? [`ANSIBLE_PYTHON_INTERPRETER=${paths.tmp}/python3-target`] : []),
  ];
  if (setup.config) env.push(`ANSIBLE_CONFIG=${paths.context}/${setup.config}`);
  const playbook = [
    `${input.ansiblePrefix}/bin/ansible-playbook`,
    '--inventory',
    'localhost,',
    '--connection',
    'local',
    ...input.extraVars,
    ...(input.tags.length > 0 ? ['--tags', input.tags.join(',')] : []),
    ...(input.skipTags.length > 0 ? ['--skip-tags', input.skipTags.join(',')] : []),
    `${paths.context}/${input.playbook}`,
  ];
  const fallback = input.python === 'target' ? `${input.ansiblePrefix}/bin/python3` : '';
  const galaxy = [`${input.ansiblePrefix}/bin/ansible-galaxy`, paths.context, home, fallback];
  const requirements = [
    String(setup.roles.length),
    ...setup.roles,
    String(setup.collections.length),
    ...setup.collections,
  ];
  return {
    name: input.name,
    image: input.image,
    cmd: [input.shell, '-c', SCRIPT, 'dappdeps-provision', ...galaxy, ...requirements, ...playbook],
    env,
    volumesFrom: input.mounts.volumesFrom,
    imageMounts: input.mounts.imageMounts,
    binds: [],
    tmpfs: { [paths.tmp]: 'rw,exec,nosuid,nodev,mode=1777' },
    network: input.network,
    labels: { [labels.provisionRun]: 'true' },
  };
}

/**
 * Where installed requirements are found when the project's ansible.cfg names its own roles_path or
 * collections_path (otherwise Ansible's defaults under ANSIBLE_HOME already hold them): the installed ones
 * first, then the project's.
 */
function searchPaths(input: RunSpecInput, home: string): string[] {
  const { setup, paths } = input;
  const inContext = (entry: string) =>
    entry.startsWith('/') || /^[~$]/.test(entry) ? entry : `${paths.context}/${entry}`;
  const env: string[] = [];
  if (setup.roles.length > 0 && setup.configPaths.roles) {
    env.push(`ANSIBLE_ROLES_PATH=${[`${home}/roles`, ...setup.configPaths.roles.map(inContext)].join(':')}`);
  }
  if (setup.collections.length > 0 && setup.configPaths.collections) {
    env.push(
      `ANSIBLE_COLLECTIONS_PATH=${[`${home}/collections`, ...setup.configPaths.collections.map(inContext)].join(':')}`,
    );
  }
  return env;
}
