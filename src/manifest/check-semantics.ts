import type { ManifestProblem } from '../errors.js';
import { findCycles, findUnknownDeps, type GraphNode } from '../graph/dependency-graph.js';
import type { ImageModel } from './model.js';
import type { LfsStep } from './schema.js';
import type { FieldPath } from './yaml-document.js';

export interface SemanticFindings {
  errors: ManifestProblem[];
  warnings: ManifestProblem[];
}

/** Which LFS sources each toolchain step unpacks. */
const stepSources: Record<LfsStep, readonly string[]> = {
  'binutils-pass1': ['binutils'],
  'gcc-pass1': ['gcc', 'mpfr', 'gmp', 'mpc'],
  'linux-headers': ['linux'],
  glibc: ['glibc'],
  libstdcxx: ['gcc'],
  'binutils-pass2': ['binutils'],
  'gcc-pass2': ['gcc', 'mpfr', 'gmp', 'mpc'],
};

/**
 * Checks that span fields or files: names, dependency edges, cycles, checksums, strategy presence. `invalid`
 * names images whose manifest did not validate: a dependency on one is not reported as unknown (its own file's
 * problems are the ones to fix).
 */
export function checkSemantics(
  images: readonly ImageModel[],
  invalid: ReadonlySet<string> = new Set(),
): SemanticFindings {
  const errors: ManifestProblem[] = [];
  const warnings: ManifestProblem[] = [];
  const at = (image: ImageModel, path: FieldPath, message: string) => image.yaml.problemAt(path, message);

  const seen = new Map<string, ImageModel>();
  for (const image of images) {
    const previous = seen.get(image.name);
    if (previous) errors.push(at(image, ['name'], `image "${image.name}" is also defined in ${previous.yaml.file}`));
    seen.set(image.name, image);
    if (!image.manifest.source && !image.manifest.binary) {
      errors.push(at(image, [], 'needs at least one build strategy: "binary" or "source"'));
    }
    checkChecksums(image, errors, warnings);
    checkLfs(image, errors);
    checkOmnibusDeps(image, errors);
    checkBinary(image, errors);
  }

  for (const kind of ['build', 'run'] as const) {
    const nodes: GraphNode[] = images.map((i) => ({ name: i.name, deps: i.manifest.dependencies[kind] }));
    for (const { name, dep, index } of findUnknownDeps(nodes)) {
      const image = invalid.has(dep) ? undefined : seen.get(name);
      if (image) errors.push(at(image, ['dependencies', kind, index], `unknown image "${dep}"`));
    }
    for (const cycle of findCycles(nodes)) {
      const image = seen.get(cycle[0] ?? '');
      if (image) errors.push(at(image, ['dependencies', kind], `${kind}-time dependency cycle: ${cycle.join(' -> ')}`));
    }
  }
  return { errors, warnings };
}

interface Pinned {
  name: string;
  md5?: string | undefined;
  sha256?: string | undefined;
}

function checkChecksums(image: ImageModel, errors: ManifestProblem[], warnings: ManifestProblem[]): void {
  const source = image.manifest.source;
  if (!source) return;
  const pinned: [FieldPath, Pinned][] =
    source.kind === 'lfs'
      ? source.sources.map((s, i) => [['source', 'sources', i], s])
      : source.kind === 'omnibus'
        ? source.software.map((s, i) => [['source', 'software', i], s])
        : [[['source', 'archive'], source.archive]];
  const md5Only: [FieldPath, string][] = [];
  for (const [path, s] of pinned) {
    if (s.md5 && s.sha256) errors.push(image.yaml.problemAt(path, `${s.name}: give sha256 or md5, not both`));
    else if (s.md5) md5Only.push([[...path, 'md5'], s.name]);
    else if (!s.sha256) errors.push(image.yaml.problemAt(path, `${s.name} needs a checksum (sha256, or md5)`));
  }
  // One warning per manifest, located at the first md5: the 2017 pins have many and they are all alike.
  const [first] = md5Only;
  if (first) {
    const names = md5Only.map(([, name]) => name).join(', ');
    warnings.push(image.yaml.problemAt(first[0], `pinned by md5 only, prefer sha256: ${names}`));
  }
}

function checkLfs(image: ImageModel, errors: ManifestProblem[]): void {
  const source = image.manifest.source;
  if (source?.kind !== 'lfs') return;
  const names = new Set(source.sources.map((s) => s.name));
  source.stages.forEach((stage, i) => {
    for (const needed of stepSources[stage.step]) {
      if (!names.has(needed))
        errors.push(image.yaml.problemAt(['source', 'stages', i, 'step'], `${stage.step} needs source "${needed}"`));
    }
  });
}

/** Local software may depend on other local software, top-level software or omnibus-software definitions;
 * only a dependency on itself or a cycle among local definitions is certainly wrong. */
function checkOmnibusDeps(image: ImageModel, errors: ManifestProblem[]): void {
  const source = image.manifest.source;
  if (source?.kind !== 'omnibus') return;
  const nodes = source.software.map((s) => ({ name: s.name, deps: s.deps }));
  const local = new Set(nodes.map((n) => n.name));
  const localNodes = nodes.map((n) => ({ name: n.name, deps: n.deps.filter((d) => local.has(d)) }));
  for (const cycle of findCycles(localNodes)) {
    const index = nodes.findIndex((n) => n.name === cycle[0]);
    errors.push(
      image.yaml.problemAt(['source', 'software', index, 'deps'], `software dependency cycle: ${cycle.join(' -> ')}`),
    );
  }
}

/** Launchers are compiled by a build-time dependency's gcc: the manifest must name it. */
function checkBinary(image: ImageModel, errors: ManifestProblem[]): void {
  const binary = image.manifest.binary;
  if (!binary) return;
  if (binary.compiler && !image.manifest.dependencies.build.includes(binary.compiler)) {
    errors.push(
      image.yaml.problemAt(['binary', 'compiler'], `"${binary.compiler}" must also be a build-time dependency`),
    );
  }
  binary.launchers.forEach((launcher, i) =>
    launcher.env.forEach((env, j) => {
      for (const [, name] of env.value?.matchAll(/\{prefix:([a-z0-9-]+)\}/g) ?? []) {
        if (name && !image.manifest.dependencies.run.includes(name)) {
          errors.push(
            image.yaml.problemAt(
              ['binary', 'launchers', i, 'env', j, 'value'],
              `{prefix:${name}} must name a run-time dependency`,
            ),
          );
        }
      }
    }),
  );
  binary.links.forEach((link, i) => {
    const to = /^\{prefix(?::([a-z0-9-]+))?\}\//.exec(link.target);
    const name = to?.[1];
    if (!to || (name !== undefined && !image.manifest.dependencies.run.includes(name)))
      errors.push(
        image.yaml.problemAt(
          ['binary', 'links', i, 'target'],
          'must be a path in {prefix}/ or in {prefix:<run-time dependency>}/',
        ),
      );
  });
  if (binary.launchers.length > 0 && !binary.compiler && !image.stageCompiler) {
    errors.push(
      image.yaml.problemAt(
        ['binary', 'launchers'],
        'launchers are compiled: name the build-time dependency that provides gcc in "compiler"',
      ),
    );
  }
}
