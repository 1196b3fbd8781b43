import { Readable } from 'node:stream';
import type { ContainerIo } from '../docker/run-to-exit.js';
import { DappdepsError } from '../errors.js';
import { watchOutput } from './output-watch.js';
import type { ProvisionPlan } from './plan-provision.js';
import type { ProvisionEngine } from './provision-engine.js';

export interface RunRequest extends ContainerIo {
  /** On a failing playbook, keep the container (and say how to look inside) instead of removing it. */
  keepFailed?: boolean;
}

export interface PlaybookRun {
  /** The committed container: an untagged image the caller removes. */
  committed: string;
  /** ansible-core's version, read from the prefix before the run. */
  ansibleVersion: string;
}

/**
 * The run phase: creates the container, copies the project into it, runs the playbook and commits it. The container is removed
 * whatever happens, except after a failing playbook with `keepFailed`.
 */
export async function runPlaybook(engine: ProvisionEngine, plan: ProvisionPlan, run: RunRequest): Promise<PlaybookRun> {
  const container = await engine.containers.create(plan.spec);
  let keep = false;
  try {
    await engine.containers.putArchive(container, '/', Readable.from([plan.context]));
    // Read before the run: from the volume container, or, with image mounts, through the created container.
    const release = await engine.containers.readFile(
      plan.versionFrom.volumeContainer ?? container,
      plan.versionFrom.file,
    );
    const ansibleVersion = /__version__\s*=\s*['"]([^'"]+)['"]/.exec(release?.toString('utf8') ?? '')?.[1] ?? 'unknown';
    const watch = watchOutput(run.stdout);
    const code = await engine.containers.run(container, { ...run, stdout: watch.stream });
    if (code !== 0) {
      keep = run.keepFailed === true;
      throw keep
        ? new DappdepsError(keptMessage(code, plan), { hint: watch.hint() })
        : new DappdepsError(failedMessage(code), {
            hint: watch.hint() ?? 'run it again with --keep-failed to keep the container and look inside',
          });
    }
    return { committed: await engine.containers.commit(container), ansibleVersion };
  } finally {
    if (!keep) await engine.containers.remove(container);
  }
}

function failedMessage(code: number): string {
  return `the playbook failed (ansible-playbook exited ${code}); no image was tagged`;
}

function keptMessage(code: number, plan: ProvisionPlan): string {
  const name = plan.spec.name;
  return [
    `${failedMessage(code)}. Kept the container ${name}:`,
    `  docker diff ${name}                      # what the run changed`,
    `  docker commit ${name} ${name}:debug && docker run --rm -it ${plan.debugMounts} --entrypoint ${plan.debugShell} ${name}:debug`,
    `  docker rm -v ${name} && docker rmi ${name}:debug   # clean up`,
  ].join('\n');
}
