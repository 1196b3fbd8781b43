import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type Docker from 'dockerode';
import { containerScript, suiteMount, targetEnv, timesMarker } from './container-script.js';
import { demuxLogs } from './docker-logs.js';
import { parseChildCpu, parseRecaps, type RecapCounts } from './recap.js';
import type { TargetSpec } from './selection.js';

/** One way of running Ansible: an image, where its ansible-* programs are, and what is mounted. */
export interface Mode {
  name: string;
  image: string;
  ansibleBin: string;
  /** The Python modules run with (the inventory's `ansible_python_interpreter`). */
  python: string;
  env: readonly string[];
  volumesFrom: readonly string[];
}

export interface RunOutcome {
  target: string;
  mode: string;
  passed: boolean;
  /** The exit code, or undefined when the run was stopped after `timeoutMs`. */
  exitCode: number | undefined;
  recap: RecapCounts | undefined;
  seconds: number;
  /** CPU seconds (user + system) of the run's processes: what the run costs on an idle machine. */
  cpuSeconds: number | undefined;
  /** The run's whole output, kept on disk. */
  logFile: string;
  /** Its last lines, for messages. */
  tail: string;
}

export interface RunSettings {
  suiteDir: string;
  logDir: string;
  /** A safety net for a hung target: the container is killed and the run counts as failed. */
  timeoutMs: number;
}

/**
 * Runs one target in one mode in a fresh container (host network: apt_debconf installs a package from
 * Debian's mirror), removed afterwards whatever happens.
 */
export async function runTarget(
  docker: Docker,
  spec: TargetSpec,
  mode: Mode,
  settings: RunSettings,
): Promise<RunOutcome> {
  const started = Date.now();
  const container = await docker.createContainer({
    name: `dappdeps-wtargets-${mode.name}-${spec.name}-${randomBytes(3).toString('hex')}`,
    Image: mode.image,
    Entrypoint: ['/bin/sh', '-c'],
    Cmd: [containerScript(spec, mode.ansibleBin, mode.python)],
    Env: [...targetEnv, ...mode.env],
    Labels: { 'io.dappdeps.test': 'ansible-targets' },
    HostConfig: {
      NetworkMode: 'host',
      Binds: [`${settings.suiteDir}:${suiteMount}:ro`],
      VolumesFrom: mode.volumesFrom.map((name) => `${name}:ro`),
    },
  });
  let exitCode: number | undefined;
  try {
    await container.start();
    const timer = setTimeout(() => void container.kill().catch(() => undefined), settings.timeoutMs);
    try {
      const { StatusCode } = (await container.wait()) as { StatusCode: number };
      exitCode = StatusCode;
    } finally {
      clearTimeout(timer);
    }
    if (Date.now() - started >= settings.timeoutMs) exitCode = undefined;
    const output = demuxLogs((await container.logs({ stdout: true, stderr: true })) as unknown as Buffer);
    const logFile = path.join(settings.logDir, mode.name, `${spec.name}.log`);
    await mkdir(path.dirname(logFile), { recursive: true });
    await writeFile(logFile, output);
    return {
      target: spec.name,
      mode: mode.name,
      passed: exitCode === 0,
      exitCode,
      recap: parseRecaps(output),
      seconds: Math.round((Date.now() - started) / 1000),
      cpuSeconds: parseChildCpu(output, timesMarker),
      logFile,
      tail: output.trimEnd().split('\n').slice(-25).join('\n'),
    };
  } finally {
    await container.remove({ force: true, v: true });
  }
}
