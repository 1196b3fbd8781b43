import { Option, type Command } from 'commander';
import type { Strategy } from '../../manifest/model.js';
import { parseCommand, parsePairs, type ConfigChanges } from '../../provision/config-changes.js';
import type { ProvisionResult, PythonChoice } from '../../provision/provision-image.js';
import type { PullPolicy } from '../../provision/survey-engine.js';
import { ansibleSelector } from '../ansible-choice.js';
import { ansibleOption } from '../ansible-option.js';
import { addDistroOption, openDistro, type DistroOptions } from '../distro-option.js';
import { interruptible, openEngine } from '../engine-session.js';
import { imageReference } from '../image-reference.js';
import { checkNetwork, networkName } from '../network-option.js';
import { lineStream } from '../line-stream.js';
import type { Output } from '../../ui/output.js';
import { strategyOption } from '../strategy-option.js';
import { mountModeOption } from '../mount-mode-option.js';
import type { MountModeOption } from '../../mounts/mount-mode.js';

interface ProvisionCliOptions extends DistroOptions {
  from: string;
  tag: string;
  extraVars: string[];
  tags?: string;
  skipTags?: string;
  network?: string;
  label: string[];
  env: string[];
  cmd?: string;
  entrypoint?: string;
  workdir?: string;
  user?: string;
  keepFailed?: boolean;
  keepCaches?: boolean;
  context?: string;
  cache: boolean;
  python: PythonChoice;
  pull: PullPolicy;
  json?: boolean;
  strategy: Strategy;
  mountMode: MountModeOption;
  ansible?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];
const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export function registerProvision(program: Command, output: Output): void {
  provisionOptions(addDistroOption(program.command('provision'))).action(
    (playbook: string, options: ProvisionCliOptions) => runProvision(playbook, options, output),
  );
}

/** What provision takes: the playbook's inputs first, then the result's configuration. */
function provisionOptions(command: Command): Command {
  return command
    .description(
      "run an Ansible playbook in any image (no Python or libc needed) and commit it: the image's layers plus one layer of the playbook's changes, nothing of dappdeps or Ansible left",
    )
    .argument(
      '<playbook>',
      'the playbook file; its folder (roles/, group_vars/, templates/, requirements.yml…) is sent into the run, see --context',
    )
    .option(
      '--context <dir>',
      "the project folder sent into the run when the playbook refers to files above its own folder (default: the playbook's folder; .git and .dappdepsignore's entries left out)",
    )
    .option('--no-cache', 'run the playbook even when an image was made from the same inputs')
    .addOption(
      new Option('--pull <when>', 'pull --from first: missing (when the engine lacks it), always, or never')
        .choices(['missing', 'always', 'never'])
        .default('missing'),
    )
    .addOption(
      new Option(
        '--python <which>',
        "the Python modules run with: prefix (dappdeps' own, any image) or target (the image's own: modules that import what the play installed, e.g. psycopg2)",
      )
        .choices(['prefix', 'target'])
        .default('prefix'),
    )
    .requiredOption('--from <image>', 'the image to provision')
    .requiredOption('--tag <name:tag>', 'the result, tagged only when everything succeeded', imageReference)
    .option('-e, --extra-vars <vars>', 'key=value, a JSON object or @file (repeatable)', collect, [])
    .option('--tags <tags>', 'only run tasks with these tags (comma-separated)')
    .option('--skip-tags <tags>', 'skip tasks with these tags (comma-separated)')
    .option(
      '--network <mode>',
      'host, none or a network name (default: bridge where the engine has one, else host)',
      networkName,
    )
    .option('--label <key=value>', 'label the result (repeatable)', collect, [])
    .option('--env <KEY=value>', "set a variable in the result's environment (repeatable)", collect, [])
    .option(
      '--cmd <command>',
      'the result\'s CMD: a JSON array (exec form) or a string (run by /bin/sh -c); "[]" clears it',
    )
    .option('--entrypoint <command>', "the result's ENTRYPOINT, as --cmd")
    .option('--workdir <dir>', "the result's working directory")
    .option('--user <user>', "the result's USER (the playbook runs as the image's own USER)")
    .option('--keep-failed', 'keep the container of a failed run and print how to look inside')
    .option(
      '--keep-caches',
      "keep what the run put in package managers' download caches (apt's lists and archives, apk's, dnf's, yum's)",
    )
    .option('--json', 'print the result as one JSON document on stdout')
    .addOption(ansibleOption())
    .addOption(strategyOption())
    .addOption(mountModeOption());
}

async function runProvision(playbook: string, options: ProvisionCliOptions, output: Output): Promise<void> {
  const { provisionImage, readInputs } = await import('../../provision/provision-image.js');
  const distro = await openDistro(options, output);
  const changes = configChanges(options);
  // bad input exits 2 before the engine is asked anything
  const inputs = await readInputs(distro, {
    playbook,
    tag: options.tag,
    extraVars: options.extraVars,
    context: options.context,
  });
  const docker = await openEngine();
  await checkNetwork(docker, options.network); // before any container exists
  const selectAnsible = await ansibleSelector(docker, options, output);
  // Ansible's output goes with the progress lines to stderr; stdout is left to the result.
  const ansibleOutput = lineStream((line) => output.err(line));
  const result = await interruptible((signal) =>
    provisionImage(
      docker,
      distro,
      {
        playbook,
        from: options.from,
        tag: options.tag,
        extraVars: options.extraVars,
        tags: list(options.tags),
        skipTags: list(options.skipTags),
        network: options.network,
        changes,
        keepFailed: options.keepFailed,
        keepCaches: options.keepCaches,
        context: options.context,
        noCache: !options.cache,
        python: options.python,
        pull: options.pull,
        strategy: options.strategy,
        mountMode: options.mountMode,
        selectAnsible,
        stdout: ansibleOutput,
        stderr: ansibleOutput,
        onStep: (text) => output.err(`provision: ${text}`),
        signal,
      },
      inputs,
    ),
  ).finally(() => ansibleOutput.end());
  if (options.json) output.out(JSON.stringify(result, null, 2));
  else for (const line of summary(result)) output.out(line);
}

function configChanges(options: ProvisionCliOptions): ConfigChanges {
  parsePairs(options.env, '--env'); // refuses a pair without a key before anything runs
  return {
    labels: Object.fromEntries(parsePairs(options.label, '--label')),
    env: options.env,
    cmd: options.cmd === undefined ? undefined : parseCommand(options.cmd, '--cmd'),
    entrypoint: options.entrypoint === undefined ? undefined : parseCommand(options.entrypoint, '--entrypoint'),
    workdir: options.workdir,
    user: options.user,
  };
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

function summary(r: ProvisionResult): string[] {
  if (!r.layer)
    return [`${r.tag} (${r.id.slice(7, 19)}): cached (made before from the same inputs; --no-cache runs it again)`];
  return [
    `${r.tag} (${r.id.slice(7, 19)}): ${r.from.ref} plus one layer of ${r.layer.entries} entries, ${mb(r.layer.bytes)}`,
    `size: ${mb(r.size)} (${r.from.ref}: ${mb(r.from.size)}, +${mb(r.size - r.from.size)})`,
    `removed from the layer: ${r.layer.removed.length === 0 ? 'nothing' : `${r.layer.removed.length} entries (${r.layer.removed.slice(0, 4).join(', ')}${r.layer.removed.length > 4 ? ', …' : ''})`}`,
  ];
}
