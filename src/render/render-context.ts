import type { Builder } from '../docker/types.js';
import { labels as label } from '../labels.js';
import { volumeContainerName, type Distro, type ImageModel, type Strategy } from '../manifest/model.js';
import { mountFlags } from '../mounts/mount-flags.js';
import type { BinaryStrategy, SourceStrategy } from '../manifest/schema.js';

export interface DepContext {
  name: string;
  version: string;
  prefix: string;
  /** Its image for this strategy (what a BuildKit stage mounts). */
  tag: string;
}

/** Everything a template may refer to. Manifest strings have `{prefix}` and `{triplet}` already replaced. */
export interface RenderContext {
  strategy: Strategy;
  /** The builder the Dockerfile is written for (see depMounts). */
  builder: Builder;
  /**
   * With `buildkit`, the `RUN` options (ending with a space) that bind-mount each build-time dependency's
   * prefix from its image, read-only at the same path; empty with `classic`, where the prefixes are copied
   * into the stage from the context (`deps/<name>/`).
   */
  depMounts: string;
  baseImage: string;
  arch: { gnu: string; debian: string };
  image: { name: string; version: string; prefix: string; description: string; tag: string; bin: string[] };
  /** Who publishes the distribution (Omnibus projects' maintainer and homepage). */
  distro: { maintainer: string; homepage: string };
  /** Build-time dependencies: injected into the context as `deps/<name>/` (classic) or mounted (buildkit). */
  buildDeps: DepContext[];
  runDeps: DepContext[];
  /** Static labels of the final image (the creation time and content hash are added at build time). */
  labels: { key: string; value: string }[];
  /** The manifest's strategy sections, placeholders expanded; the kinds get theirs narrowed by render-image. */
  source: SourceStrategy | undefined;
  binary: BinaryStrategy | undefined;
  /** The gcc that compiles the binary strategy's launchers (in the compiler dependency's prefix). */
  compilerPath: string | undefined;
  /** The smoke commands as seal.conf's `warm` lines (base64 JSON argv): the Python modules they import get pycs. */
  warmCommands: string[];
}

export function renderContext(
  distro: Distro,
  image: ImageModel,
  strategy: Strategy,
  builder: Builder = 'classic',
): RenderContext {
  const dep = (name: string): DepContext => {
    const d = distro.index.image(name);
    return { name: d.name, version: d.version, prefix: d.prefix, tag: distro.index.tag(d, strategy) };
  };
  const { manifest } = image;
  const triplet = `${distro.settings.architecture.gnu}-linux-gnu`;
  const expand = (text: string): string =>
    text
      .split('{prefix}')
      .join(image.prefix)
      .split('{triplet}')
      .join(triplet)
      .replace(/\{prefix:([a-z0-9-]+)\}/g, (_, name: string) => dep(name).prefix);
  const tag = distro.index.tag(image, strategy);
  const { settings } = distro;
  const labels = [
    ['org.opencontainers.image.title', `${settings.repository}/${image.name}`],
    ['org.opencontainers.image.version', image.version],
    ['org.opencontainers.image.description', manifest.description],
    ['org.opencontainers.image.source', settings.labels.source],
    ...(settings.labels.vendor ? [['org.opencontainers.image.vendor', settings.labels.vendor]] : []),
    [label.name, image.name],
    [label.version, image.version],
    [label.prefix, image.prefix],
    [label.strategy, strategy],
    [label.runDeps, manifest.dependencies.run.join(',')],
  ].map(([key, value]) => ({ key: key ?? '', value: value ?? '' }));
  const buildDeps = manifest.dependencies.build.map(dep);
  const mounts = mountFlags(
    buildDeps.map((d) => ({ ...d, container: volumeContainerName(distro, distro.index.image(d.name)) })),
    'buildkit',
  );
  return {
    strategy,
    builder,
    depMounts: builder === 'buildkit' && mounts !== '' ? `${mounts} ` : '',
    baseImage: settings[strategy].baseImage,
    arch: settings.architecture,
    image: {
      name: image.name,
      version: image.version,
      prefix: image.prefix,
      description: manifest.description,
      tag,
      bin: manifest.bin,
    },
    distro: { maintainer: settings.labels.vendor ?? settings.repository, homepage: settings.labels.source },
    buildDeps,
    runDeps: manifest.dependencies.run.map(dep),
    labels,
    source: mapStrings(manifest.source, expand),
    binary: mapStrings(manifest.binary, expand),
    compilerPath: manifest.binary?.compiler ? `${dep(manifest.binary.compiler).prefix}/bin/gcc` : image.stageCompiler,
    warmCommands: manifest.smoke.map((c) =>
      Buffer.from(JSON.stringify(c.run.map((a) => a.replaceAll('{prefix}', image.prefix)))).toString('base64'),
    ),
  };
}

/** A deep copy of `value` with `f` applied to every string in it, keeping its type. */
function mapStrings<T>(value: T, f: (text: string) => string): T {
  const copy = structuredClone(value);
  const visit = (node: object): void => {
    for (const [key, child] of Object.entries(node)) {
      if (typeof child === 'string') Reflect.set(node, key, f(child));
      else if (typeof child === 'object' && child !== null) visit(child);
    }
  };
  if (typeof copy === 'object' && copy !== null) visit(copy);
  return copy;
}
