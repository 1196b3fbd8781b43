import type { TargetSpec } from './selection.js';

/** Where the targets folder is mounted (read-only) and where each run copies it to (targets may write). */
export const suiteMount = '/suite';
const suiteCopy = '/tmp/suite';

/** What the environment of a run adds to the image's: where the roles are, and plain output. */
export const targetEnv: readonly string[] = [
  `ANSIBLE_ROLES_PATH=${suiteCopy}`,
  'ANSIBLE_NOCOLOR=1',
  'ANSIBLE_DEPRECATION_WARNINGS=false',
  'ANSIBLE_RETRY_FILES_ENABLED=false',
];

/** The play that runs one target's role against testhost (JSON is YAML); targets gather facts themselves. */
export function rolePlaybook(spec: TargetSpec): string {
  return JSON.stringify([{ hosts: 'testhost', gather_facts: false, roles: [spec.name] }], null, 2);
}

/** The marker before the shell's `times`, whose second line is the CPU time of everything the run waited for. */
export const timesMarker = 'DAPPDEPS_TIMES';

/** Runs `command`, then prints the CPU time it used (load-independent, unlike wall time), keeping its status. */
function measured(command: string): string[] {
  return ['status=0', `${command} || status=$?`, `echo ${timesMarker}`, 'times', 'exit $status'];
}

function heredoc(path: string, text: string): string {
  if (text.split('\n').includes('DAPPDEPS_EOF')) throw new Error(`the text for ${path} holds the heredoc marker`);
  return `cat > ${path} <<'DAPPDEPS_EOF'\n${text}\nDAPPDEPS_EOF`;
}

/** The inventory: `testhost` with the local connection and the mode's Python for modules. */
export function inventory(python: string): string {
  return `[testgroup]\ntesthost ansible_connection=local ansible_pipelining=yes ansible_python_interpreter=${python}`;
}

/**
 * The `sh -c` script that runs one target in a container whose ansible-* programs live in `ansibleBin` and
 * whose modules run with `python`: the targets are copied out of their read-only mount, the inventory
 * written, then the target's role played.
 */
export function containerScript(spec: TargetSpec, ansibleBin: string, python: string): string {
  const lines = [
    'set -e',
    // the busybox image has no /tmp: make it as images have it, writable by every user
    '[ -d /tmp ] || mkdir -m 1777 /tmp',
    `cp -r ${suiteMount} ${suiteCopy}`,
    heredoc(`${suiteCopy}/inventory`, inventory(python)),
    heredoc(`${suiteCopy}/${spec.name}.yml`, rolePlaybook(spec)),
    `cd ${suiteCopy}`,
    ...measured(`${ansibleBin}/ansible-playbook -i ${suiteCopy}/inventory ${suiteCopy}/${spec.name}.yml`),
  ];
  return lines.join('\n');
}
