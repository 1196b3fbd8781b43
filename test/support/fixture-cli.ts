import path from 'node:path';
import type { FixtureDistro } from './fixture-distro.js';
import { runCli, type CliRun } from './run-cli.js';

/** The state each image ended in (`built`, `cached`, `failed`, `skipped`…), from a `build --json` run's events. */
export function buildStates(stdout: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of stdout) {
    const e = JSON.parse(line) as { event: string; image?: string };
    if (e.image && !['start', 'step', 'heartbeat'].includes(e.event)) out[e.image] = e.event;
  }
  return out;
}

/** `dappdeps <command>` on the fixture's distro, and `build --json` with the fixture's own work folder. */
export function fixtureCli(fx: () => FixtureDistro): {
  cli(command: string, ...args: string[]): Promise<CliRun>;
  build(...args: string[]): Promise<CliRun>;
} {
  const cli = (command: string, ...args: string[]) => runCli(fx().dir, command, ...args);
  return { cli, build: (...args) => cli('build', '--json', '--work-dir', path.join(fx().tmp, 'work'), ...args) };
}

/** How a first build of the whole orchestrator fixture ends, on any engine: its broken image fails on purpose. */
export const ORCHESTRATOR_FIRST_BUILD = {
  tools: 'built',
  app: 'built',
  solo: 'built',
  broken: 'failed',
  'after-broken': 'skipped',
} as const;
