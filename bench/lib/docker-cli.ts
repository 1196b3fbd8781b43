import { exec } from './exec.js';
import type { BenchScope } from './scope.js';

/** The classic builder through the docker CLI, as the original dappdeps drove it. */
const CLASSIC = { ...process.env, DOCKER_BUILDKIT: '0' };

/** `docker build --network host -t <tag> <dir>`; the images it creates are recorded for cleanup. */
export async function cliBuild(scope: BenchScope, tag: string, dir: string): Promise<void> {
  const { stdout } = await exec('docker', ['build', '--network', 'host', '--force-rm', '-t', tag, dir], CLASSIC);
  scope.recordBuildOutput(stdout);
}
