import { exec, ExecError } from './exec.js';
import type { BenchScope } from './scope.js';

/** The classic builder through the docker CLI, as the original dappdeps drove it. */
const CLASSIC = { ...process.env, DOCKER_BUILDKIT: '0' };

/** `docker build --network host [--no-cache] -t <tag> <dir>`; the images it creates are recorded for cleanup. */
export async function cliBuild(
  scope: BenchScope,
  tag: string,
  dir: string,
  options: { nocache?: boolean } = {},
): Promise<void> {
  const cache = options.nocache ? ['--no-cache'] : [];
  const { stdout } = await exec(
    'docker',
    ['build', '--network', 'host', '--force-rm', ...cache, '-t', tag, dir],
    CLASSIC,
  ).catch((error: unknown) => {
    // The steps that succeeded before the failure left images too.
    if (error instanceof ExecError) scope.recordBuildOutput(error.result.stdout);
    throw error;
  });
  scope.recordBuildOutput(stdout);
}
