import os from 'node:os';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { BuildSummary } from '../../orchestrator/build-distro.js';
import { BuildError, DappdepsError } from '../../errors.js';
import type { Distro, Strategy } from '../../manifest/model.js';
import type { DockerClient } from '../../docker/docker-client.js';
import { builderOptions, type BuilderOption } from '../../orchestrator/choose-builder.js';
import type { Reporter } from '../../ui/reporter.js';
import { archOption, distroForArchOption, type ArchOptions } from '../arch-option.js';
import { addDistroOption, type DistroOptions } from '../distro-option.js';
import { interruptible, openEngine } from '../engine-session.js';
import { selectImages } from '../image-selection.js';
import { openSuites, suiteOption, suitesWithNames, type SuiteOptions } from '../suite-option.js';
import type { Output } from '../../ui/output.js';
import { BUILD_STRATEGY, strategyOption } from '../strategy-option.js';
import { WORK_DIR_DEFAULT, workDir, writableDir } from '../work-dir.js';

interface BuildOptions extends DistroOptions, ArchOptions, SuiteOptions {
  strategy: Strategy;
  builder: BuilderOption;
  force?: boolean;
  forceDeps?: boolean;
  /** False with `--no-cache` (docker's layer cache off), a registry repository with `--cache REPO`, else undefined. */
  cache?: string | false;
  /** False with `--no-cache-push`. */
  cachePush?: boolean;
  concurrency: number;
  json?: boolean;
  idleTimeout: number;
  workDir?: string;
}

export const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return n;
};

export function registerBuild(program: Command, output: Output): void {
  buildOptions(addDistroOption(program.command('build'))).action((names: string[], options: BuildOptions) =>
    runBuild(names, options, output),
  );
}

function buildOptions(command: Command): Command {
  return command
    .description('build images in dependency order, independent ones in parallel; unchanged images are skipped')
    .argument('[names...]', 'images to build (default: all); their build-time dependencies are built too')
    .addOption(strategyOption(BUILD_STRATEGY))
    .addOption(archOption())
    .addOption(suiteOption())
    .addOption(
      new Option(
        '--builder <builder>',
        'how an image gets its build-time dependencies: classic (extracted into the build context), buildkit (RUN --mount from their images); auto: buildkit where the engine has it',
      )
        .choices(builderOptions)
        .default('auto'),
    )
    .option(
      '--force',
      'rebuild the named images (all when none is named) even when their content hash is unchanged; their dependencies are used as they are',
    )
    .option('--force-deps', "rebuild the named images' build-time dependencies too (implies --force)")
    .option(
      '--no-cache',
      "build without docker's layer cache: every step runs again (implies --force; with --force-deps, for the dependencies too)",
    )
    .option(
      '--cache <registry/repo>',
      'a registry as shared build cache: pull each image by content hash before building it, push what is built (default: $DAPPDEPS_CACHE, else cache: in distro.yaml)',
    )
    .option(
      '--no-cache-push',
      'use the build cache read-only (also DAPPDEPS_CACHE_PUSH=0, or push: false in distro.yaml)',
    )
    .addOption(
      new Option('--concurrency <n>', 'images built at once').argParser(positiveInt).default(os.availableParallelism()),
    )
    .addOption(
      new Option('--idle-timeout <seconds>', 'fail a build that prints nothing for this long')
        .argParser(positiveInt)
        .default(1800),
    )
    .option('--work-dir <dir>', `build logs and extracted dependencies (default: ${WORK_DIR_DEFAULT})`)
    .option('--json', 'print machine-readable events on stdout');
}

async function runBuild(names: string[], options: BuildOptions, output: Output): Promise<void> {
  const suites = suitesWithNames(await openSuites(options, output), names);
  const distros = await Promise.all(
    suites.map(async ([d, held]): Promise<[Distro, string[]]> => [await distroForArchOption(d, options), held]),
  );
  for (const [distro, held] of distros) selectImages(distro, held); // unknown names are usage errors first
  const docker = await openEngine();
  const summaries: [Distro, BuildSummary][] = [];
  // One suite after the other: each is a distro of its own (its base image, lock and versions).
  for (const [distro, held] of distros)
    summaries.push([distro, await buildSuite(distro, held, options, docker, output)]);
  report(mergeSummaries(summaries), options, output);
}

async function buildSuite(
  distro: Distro,
  names: string[],
  options: BuildOptions,
  docker: DockerClient,
  output: Output,
): Promise<BuildSummary> {
  const { buildDistro } = await import('../../orchestrator/build-distro.js');
  const { chooseBuilder } = await import('../../orchestrator/choose-builder.js');
  const { bootstrapBaseImage } = await import('../../bootstrap/bootstrap-base.js');
  const { createReporter, defaultReporterKind, heartbeatFromEnv } = await import('../../ui/reporter.js');
  // Builds for another architecture were proven with the classic builder only: auto keeps to it there.
  const asked = distro.platform && options.builder === 'auto' ? 'classic' : options.builder;
  const builder = chooseBuilder(asked, await docker.engine.version());
  const reporter = createReporter(options.json ? 'json' : defaultReporterKind(), output, {
    heartbeatMs: heartbeatFromEnv(),
  });
  if (distro.suite.all.length > 1) reporter.info(`suite ${distro.suite.name} (${distro.settings.binary.baseImage})`);
  const dir = await writableDir(workDir(distro, options.workDir), '--work-dir');
  const cache = await openCache(docker, distro, options, reporter);
  const summary = await interruptible((signal) =>
    buildDistro(distro, docker, {
      strategy: options.strategy,
      builder,
      names,
      force: options.forceDeps ? 'all' : options.force ? 'named' : 'none',
      noCache: options.cache === false,
      ...(cache ? { cache } : {}),
      concurrency: options.concurrency,
      workDir: dir,
      idleTimeoutMs: options.idleTimeout * 1000,
      signal,
      onBuilding: (name, log) => reporter.start(name, log),
      onStep: (name, step) => reporter.step(name, step),
      onFinish: (result) => reporter.finish(result),
      onInfo: (message) => reporter.info(message),
      ensureBaseImage: async (ref) => {
        await bootstrapBaseImage(docker, ref, { onProgress: (m) => reporter.info(m), signal });
      },
      setArchitecture: async (built, tag) => {
        const { setImageArchitecture } = await import('../../bootstrap/image-architecture.js');
        const { distroArchitecture } = await import('../../manifest/distro-for-architecture.js');
        await setImageArchitecture(docker, built, tag, distroArchitecture(distro), signal);
      },
    }),
  ).finally(() => reporter.close());
  if (options.strategy === 'binary') await tagAliases(distro, summary, docker);
  for (const name of summary.unsupported)
    reporter.info(
      options.arch
        ? `${name}: no ${options.strategy} strategy for ${options.arch}, not built`
        : `${name}: ${options.strategy === 'binary' ? 'source-only' : 'binary-only'} (no ${options.strategy} strategy), not built`,
    );
  return summary;
}

/** The registry build cache that --cache, DAPPDEPS_CACHE or distro.yaml names, its warnings and pushes reported. */
async function openCache(docker: DockerClient, distro: Distro, options: BuildOptions, reporter: Reporter) {
  const { chooseCache } = await import('../../build-cache/cache-setting.js');
  const { RegistryCache } = await import('../../build-cache/registry-cache.js');
  const setting = chooseCache(distro, {
    cache: typeof options.cache === 'string' ? options.cache : undefined,
    push: options.cachePush,
  });
  if (!setting) return undefined;
  return new RegistryCache(docker, {
    ...setting,
    onWarning: (message) => reporter.info(`warning: ${message}`),
    onInfo: (message) => reporter.info(message),
  });
}

/** Point each built (or cached) image's older tags at it: `dappdeps/ansible:2.4.4.0-10` names the 2.14.18 image. */
async function tagAliases(distro: Distro, summary: BuildSummary, docker: DockerClient): Promise<void> {
  for (const result of summary.results) {
    if (result.state !== 'built' && result.state !== 'cached') continue;
    const image = distro.index.image(result.name);
    for (const alias of distro.index.aliasTags(image))
      await docker.images.tag(distro.index.tag(image, 'binary'), alias);
  }
}

/**
 * The suites' summaries as one: the default suite's images by name, another suite's as `name@suite`, so two versions
 * of one name stay apart.
 */
function mergeSummaries(summaries: readonly [Distro, BuildSummary][]): BuildSummary {
  const key = (d: Distro, name: string) => (d.suite.isDefault ? name : `${name}@${d.suite.name}`);
  const keyed = (d: Distro, record: Record<string, string>) =>
    Object.entries(record).map(([n, v]): [string, string] => [key(d, n), v]);
  return {
    results: summaries.flatMap(([d, s]) => s.results.map((r) => ({ ...r, name: key(d, r.name) }))),
    unsupported: [...new Set(summaries.flatMap(([, s]) => s.unsupported))],
    tags: Object.fromEntries(summaries.flatMap(([d, s]) => keyed(d, s.tags))),
    logs: Object.fromEntries(summaries.flatMap(([d, s]) => keyed(d, s.logs))),
  };
}

function report(summary: BuildSummary, options: BuildOptions, output: Output): void {
  const count = (state: string) => summary.results.filter((r) => r.state === state).length;
  const counts = {
    built: count('built'),
    pulled: count('pulled'),
    cached: count('cached'),
    failed: count('failed'),
    skipped: count('skipped'),
  };
  const { unsupported, tags, logs } = summary;
  if (options.json) output.out(JSON.stringify({ event: 'summary', ...counts, unsupported, tags, logs }));
  else
    output.err(
      `built ${counts.built}, pulled from cache ${counts.pulled}, cached ${counts.cached}, failed ${counts.failed}, skipped ${counts.skipped}`,
    );
  if (!options.json) for (const [name, log] of Object.entries(logs)) output.err(`${name}: log ${log}`);
  for (const r of summary.results) {
    if (r.state !== 'failed') continue;
    if (r.error instanceof BuildError)
      output.err(
        `--- ${r.name}: last lines of its build log ---\n${r.error.logTail.map((l) => `  | ${l}`).join('\n')}`,
      );
  }
  if (counts.failed > 0)
    throw new DappdepsError(`${counts.failed} image${counts.failed === 1 ? '' : 's'} failed to build`);
}
