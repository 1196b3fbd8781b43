/**
 * `npm run bench [name]`: each benchmark measures dappdeps against a baseline taken in the same run on the
 * same engine and prints the ratio next to its goal. Benchmarks inform, they do not gate: the exit code is 0
 * whatever the ratios (non-zero only when a benchmark could not run at all).
 */
import { arm64 } from './arm64.js';
import { binaryDistro } from './binary-distro.js';
import { cacheBench } from './cache.js';
import { cliStartup } from './cli-startup.js';
import { coldBuild } from './cold-build.js';
import { dagWallTime } from './dag-wall-time.js';
import { exportFormats } from './export.js';
import { extraction } from './extraction.js';
import { noopRebuild } from './noop-rebuild.js';
import { provision } from './provision.js';
import { formatResult, type BenchResult } from './lib/report.js';
import { BenchScope, cleanupOpenScopes } from './lib/scope.js';

const benchmarks: Record<string, (scope: BenchScope) => Promise<BenchResult>> = {
  startup: cliStartup,
  'noop-rebuild': noopRebuild,
  extraction,
  dag: dagWallTime,
  'binary-distro': binaryDistro,
  'cold-build': coldBuild,
  export: exportFormats,
  provision,
  arm64,
  cache: cacheBench,
};

async function main(): Promise<number> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((n) => !(n in benchmarks));
  if (unknown.length > 0) {
    console.error(`unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(benchmarks).join(', ')}`);
    return 2;
  }
  let crashed = 0;
  for (const [name, bench] of Object.entries(benchmarks)) {
    if (wanted.length > 0 && !wanted.includes(name)) continue;
    console.error(`running ${name}…`);
    const scope = await BenchScope.open(name);
    try {
      console.log(`${formatResult(await bench(scope))}\n`);
    } catch (error) {
      crashed++;
      console.error(
        `${name} could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
    } finally {
      const { removed, left } = await scope.cleanup();
      console.error(
        `${name}: cleaned up ${removed} image refs${left > 0 ? `, ${left} left (in use by other images)` : ''}`,
      );
    }
  }
  return crashed > 0 ? 1 : 0;
}

// Ctrl-C: remove what the running benchmark created before leaving.
process.once('SIGINT', () => void cleanupOpenScopes().finally(() => process.exit(130)));
process.exitCode = await main();
