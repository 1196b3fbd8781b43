import os from 'node:os';
import path from 'node:path';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { createDockerClient } from '../src/docker/docker-client.js';
import { loadDistro } from '../src/manifest/load-distro.js';
import { PrefixCache } from '../src/prefix-cache/prefix-cache.js';
import { buildFixture, type FixtureBuild } from './lib/build-fixture.js';
import { repoRoot } from './lib/fixture.js';
import type { BenchResult } from './lib/report.js';
import type { BenchScope } from './lib/scope.js';
import { treeDifferences, treeDigest } from '../test/support/tree-digest.js';

/** `DAPPDEPS_BENCH_BUILDERS=base,git`: only these images (and the toolchain they need), on a busy machine. */
const only = (process.env.DAPPDEPS_BENCH_BUILDERS ?? '').split(',').filter(Boolean);

/**
 * A cold build of the real binary distribution (or of the images DAPPDEPS_BENCH_BUILDERS names) with each builder, in the same run on the same engine: BuildKit
 * (dependents mount the toolchain with `RUN --mount`) against classic (the toolchain's prefix extracted into
 * each dependent's context). Both `nocache` and forced, concurrency = CPU count, audited; each under its own
 * repository, so that afterwards the prefixes of both are compared file by file.
 */
export async function builders(scope: BenchScope): Promise<BenchResult> {
  const docker = createDockerClient();
  const concurrency = os.availableParallelism();
  const run = async (builder: 'classic' | 'buildkit'): Promise<FixtureBuild> => {
    const dir = path.join(scope.tmp, builder, 'distro');
    await cp(path.join(repoRoot, 'distro'), dir, { recursive: true });
    const settings = path.join(dir, 'distro.yaml');
    // Under the scope's repository (its cleanup removes every tag there, also after a failed build).
    const text = await readFile(settings, 'utf8');
    await writeFile(
      settings,
      text
        .replace(/^repository: .*$/m, `repository: ${scope.repository}/${builder}`)
        .replace(/^volumePrefix: .*$/m, `volumePrefix: ${scope.repository}-${builder}-`),
    );
    const workDir = path.join(scope.tmp, builder, 'work');
    const built = await buildFixture(scope, docker, dir, {
      force: true,
      nocache: true,
      concurrency,
      builder,
      workDir,
      names: only,
    });
    return built;
  };
  // BuildKit first: if the mirror's answers get faster as the run goes on, that favours classic.
  const buildkit = await run('buildkit');
  const classic = await run('classic');

  const distro = await loadDistro(path.join(repoRoot, 'distro'));
  const prefixes = new PrefixCache(docker, path.join(scope.tmp, 'prefixes'));
  const compared: string[] = [];
  for (const [name, tag] of Object.entries(classic.tags)) {
    const other = buildkit.tags[name];
    if (!other) continue;
    const prefix = distro.index.image(name).prefix;
    const [a, b] = [await prefixes.get(tag, prefix), await prefixes.get(other, prefix)];
    const [da, db] = [await treeDigest(a.root.dir), await treeDigest(b.root.dir)];
    const differ = treeDifferences(da, db);
    compared.push(
      `${name}: ${da.size} entries, ${differ.length === 0 ? 'identical' : `${differ.length} differ (${differ.slice(0, 5).join(', ')}${differ.length > 5 ? ', …' : ''})`}`,
    );
  }
  const times = (b: FixtureBuild): string =>
    b.results.map((r) => `${r.name} ${(r.durationMs / 1000).toFixed(0)} s`).join(', ');
  return {
    title: `builders: cold build of the binary distribution (${Object.keys(classic.tags).join(', ')}), one round each`,
    rows: [
      {
        metric: `cold build with BuildKit (RUN --mount), concurrency ${concurrency}`,
        unit: 's',
        measured: [buildkit.ms / 1000],
        baseline: { label: 'the same with the classic builder (extracted prefixes)', samples: [classic.ms / 1000] },
        goal: { op: '<=', value: 1.0 },
      },
    ],
    notes: [
      `per image (each includes its audit; classic's also its toolchain extraction), BuildKit: ${times(buildkit)}; classic: ${times(classic)}`,
      `prefixes, classic against BuildKit (paths, types, modes, contents; not times): ${compared.join('; ')}`,
      'one round each way, BuildKit first; both fetch every package from the mirror; the engine and both cores may be shared with other builds',
    ],
  };
}
