import type { DockerClient } from '../docker/docker-client.js';
import { runCheck, type CheckRun } from './run-check.js';
import type { SmokeTarget } from './smoke-targets.js';

export interface TargetCheck extends CheckRun {
  target: string;
  /** What the check shows. */
  name: string;
}

/** Differs between any two containers. */
const PER_CONTAINER = /^HOSTNAME=/;

function envLines(output: string): Set<string> {
  return new Set(output.split('\n').filter((l) => l !== '' && !PER_CONTAINER.test(l)));
}

/**
 * In a target with tools of its own, with every verified prefix mounted: its tools still run, and a plain
 * command's environment is the one it has without our mounts. dappdeps never sets global environment
 * (launchers set it for their own tool only), so this checks that mounting volumes changes nothing else.
 */
export async function runTargetChecks(
  docker: DockerClient,
  target: SmokeTarget,
  volumesFrom: string[],
  prefixRoot: string,
  signal: AbortSignal,
): Promise<TargetCheck[]> {
  const run = (argv: string[], mounted: boolean, expect?: string) =>
    runCheck(docker, { image: target.image, argv, volumesFrom: mounted ? volumesFrom : [], ...(expect ? { expect } : {}), signal });
  const ls = await run(['/bin/ls', '/'], true, 'usr');
  const plain = await run(['/usr/bin/env'], false);
  const mounted = await run(['/usr/bin/env'], true);
  const before = envLines(plain.output);
  const leaked = [...envLines(mounted.output)].filter((l) => !before.has(l) || l.includes(prefixRoot));
  const env: CheckRun = {
    ...mounted,
    passed: plain.passed && mounted.passed && leaked.length === 0,
    output: leaked.length > 0 ? `${mounted.output}\nnot in the environment without the prefixes: ${leaked.join(' ')}` : mounted.output,
  };
  return [
    { target: target.name, name: "the target's own ls runs with the prefixes mounted", ...ls },
    { target: target.name, name: 'mounting the prefixes leaves the environment of a plain command unchanged', ...env },
  ];
}
