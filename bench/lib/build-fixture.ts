import path from 'node:path';
import { buildDistro } from '../../src/orchestrator/build-distro.js';
import type { NodeResult } from '../../src/orchestrator/dag-scheduler.js';
import { bootstrapBaseImage } from '../../src/bootstrap/bootstrap-base.js';
import type { DockerClient } from '../../src/docker/docker-client.js';
import { setImageArchitecture } from '../../src/bootstrap/image-architecture.js';
import { distroArchitecture, distroForArchitecture } from '../../src/manifest/distro-for-architecture.js';
import type { Builder } from '../../src/docker/types.js';
import { loadDistro } from '../../src/manifest/load-distro.js';
import { timed } from './exec.js';
import type { BenchScope } from './scope.js';

export interface FixtureBuild {
  /** Wall time of buildDistro alone (loading the manifests is not counted). */
  ms: number;
  results: NodeResult[];
  /** Image name → the tag it was built under. */
  tags: Record<string, string>;
}

/**
 * `dappdeps build --strategy binary` on a fixture distro, as the CLI does it, with a work dir kept across the
 * scope's runs (as `.dappdeps/` is). Any failed image fails the benchmark: a ratio over a failed build means nothing.
 */
export async function buildFixture(
  scope: BenchScope,
  docker: DockerClient,
  distroDir: string,
  options: {
    force: boolean;
    concurrency: number;
    nocache?: boolean;
    builder?: Builder;
    workDir?: string;
    /** Only these images and their build-time dependencies (default: all). */
    names?: readonly string[];
    /** Another architecture than the distro's default (`build --arch`). */
    arch?: string;
  },
): Promise<FixtureBuild> {
  const distro = distroForArchitecture(await loadDistro(distroDir), options.arch);
  const workDir = options.workDir ?? path.join(scope.tmp, `work${options.arch ? `-${options.arch}` : ''}`);
  const { ms, value: summary } = await timed(() =>
    buildDistro(distro, docker, {
      strategy: 'binary',
      names: options.names ?? [],
      builder: options.builder ?? 'classic',
      force: options.force ? 'all' : 'none',
      noCache: options.nocache ?? false,
      concurrency: options.concurrency,
      workDir,
      idleTimeoutMs: 600_000,
      ensureBaseImage: async (ref) => void (await bootstrapBaseImage(docker, ref)),
      setArchitecture: async (built, tag) =>
        void (await setImageArchitecture(docker, built, tag, distroArchitecture(distro))),
    }),
  );
  await scope.recordBuildLogs(path.join(workDir, 'logs'));
  const failed = summary.results.filter((r) => r.state !== 'built' && r.state !== 'cached');
  if (failed.length > 0) {
    const why = failed.map((r) => `${r.name}: ${r.state}${r.error instanceof Error ? ` (${r.error.message})` : ''}`);
    throw new Error(`fixture build failed:\n${why.join('\n')}`);
  }
  return { ms, results: summary.results, tags: summary.tags };
}
