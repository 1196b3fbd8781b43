import type { TargetSpec } from './selection.js';

/** Where the suite folder is mounted (read-only) and where each run copies it to (targets may write). */
export const suiteMount = '/suite';
const suiteCopy = '/tmp/suite';
const outputDir = '/tmp/output_dir';
const subsetFile = 'dappdeps-subset.yml';

/** The environment ansible-test gives a target, minus what only its own controller needs. */
export const targetEnv: readonly string[] = [
  `ANSIBLE_ROLES_PATH=${suiteCopy}/targets`,
  `OUTPUT_DIR=${outputDir}`,
  `INVENTORY_PATH=${suiteCopy}/inventory`,
  'ANSIBLE_NOCOLOR=1',
  'ANSIBLE_DEPRECATION_WARNINGS=false',
  'ANSIBLE_HOST_KEY_CHECKING=false',
  'ANSIBLE_RETRY_FILES_ENABLED=false',
];

/** The playbook ansible-test would generate for a role target (JSON is YAML). */
export function rolePlaybook(spec: TargetSpec, full: boolean): string {
  const subset = full ? undefined : spec.subset;
  const play: Record<string, unknown> = {
    hosts: 'testhost',
    gather_facts: spec.gatherFacts ?? true,
    vars: { output_dir: outputDir, ...subset?.vars },
  };
  // A static import, so the role's dependencies (setup_remote_tmp_dir…) run once, before every file.
  if (subset) play.tasks = [{ import_role: { name: spec.name, tasks_from: subsetFile } }];
  else play.roles = [spec.name];
  return JSON.stringify([play], null, 2);
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

/** ansible-test's inventory: `testhost` with the local connection and the mode's Python for modules. */
export function inventory(python: string): string {
  return `[testgroup]\ntesthost ansible_connection=local ansible_pipelining=yes ansible_python_interpreter=${python}`;
}

/**
 * The `sh -c` script that runs one target in a container whose ansible-* programs live in `ansibleBin` and
 * whose modules run with `python`: the suite is copied out of its read-only mount, the inventory written,
 * then the role is played or runme.sh runs (with `ansibleBin` first on PATH, as ansible-test puts its own
 * ansible first).
 */
export function containerScript(spec: TargetSpec, ansibleBin: string, python: string, full: boolean): string {
  // mkdir first: the busybox image has no /tmp
  const lines = [
    'set -e',
    `mkdir -p ${outputDir}`,
    `cp -r ${suiteMount} ${suiteCopy}`,
    heredoc(`${suiteCopy}/inventory`, inventory(python)),
  ];
  if (spec.kind === 'script') {
    lines.push(`cd ${suiteCopy}/targets/${spec.name}`, ...measured(`PATH="${ansibleBin}:$PATH" ./runme.sh`));
    return lines.join('\n');
  }
  const subset = full ? undefined : spec.subset;
  if (subset) {
    const imports = subset.tasksFrom.map((file) => `- import_tasks: ${file}`).join('\n');
    lines.push(heredoc(`${suiteCopy}/targets/${spec.name}/tasks/${subsetFile}`, imports));
  }
  lines.push(
    heredoc(`${suiteCopy}/${spec.name}.yml`, rolePlaybook(spec, full)),
    `cd ${suiteCopy}`,
    ...measured(`${ansibleBin}/ansible-playbook -i ${suiteCopy}/inventory ${suiteCopy}/${spec.name}.yml`),
  );
  return lines.join('\n');
}
