import { UsageError } from '../errors.js';
import { closure } from '../graph/dependency-graph.js';
import { strategies, type ImageModel, type Strategy } from './image-model.js';
import type { DistroSettings } from './schema.js';

/**
 * The facts every command derives from a validated distro, computed once when it is loaded: images by
 * name, their tags, and their build-time and run-time closures. Validation has rejected unknown
 * dependencies and cycles, so every lookup here succeeds.
 */
export class DistroIndex {
  readonly #images: readonly ImageModel[];
  readonly #byName: ReadonlyMap<string, ImageModel>;
  readonly #tags: ReadonlyMap<ImageModel, Readonly<Record<Strategy, string>>>;
  readonly #runDeps: ReadonlyMap<ImageModel, readonly ImageModel[]>;
  readonly #buildDeps: ReadonlyMap<ImageModel, readonly ImageModel[]>;
  /** Appended to every tag (`-arm64` for a distro of another architecture than its default): both live on one engine. */
  readonly tagSuffix: string;

  constructor(settings: DistroSettings, images: readonly ImageModel[], tagSuffix = '') {
    this.#images = images;
    this.tagSuffix = tagSuffix;
    this.#byName = new Map(images.map((i) => [i.name, i]));
    const named = (names: Iterable<string>) => images.filter((i) => new Set(names).has(i.name));
    this.#tags = new Map(
      images.map((i) => [
        i,
        Object.fromEntries(strategies.map((s) => [s, tagOf(settings.repository, i, s) + tagSuffix])) as Record<
          Strategy,
          string
        >,
      ]),
    );
    this.#runDeps = new Map(
      images.map((i) => [i, named(closure(i.name, (n) => this.#byName.get(n)?.manifest.dependencies.run ?? []))]),
    );
    this.#buildDeps = new Map(images.map((i) => [i, i.manifest.dependencies.build.map((n) => this.image(n))]));
  }

  /** The image named `name`, or a usage error listing the known ones. */
  image(name: string): ImageModel {
    const image = this.#byName.get(name);
    if (!image) throw new UsageError(`unknown image "${name}"; known: ${[...this.#byName.keys()].join(', ')}`);
    return image;
  }

  /** `<repository>/<name>:<version>`, with `-source` for the source strategy, then the tag suffix. */
  tag(image: ImageModel, strategy: Strategy): string {
    return this.#entry(this.#tags, image)[strategy];
  }

  /**
   * The binary image's older tags (the manifest's `aliases`, with the tag suffix), which `build` points at it for a
   * release so references to them keep working.
   */
  aliasTags(image: ImageModel): string[] {
    const tag = this.tag(image, 'binary');
    const repo = tag.slice(0, tag.lastIndexOf(':'));
    return image.manifest.aliases.map((a) => `${repo}:${a}${this.tagSuffix}`);
  }

  /** The direct build-time dependencies of `image`, in manifest order. */
  buildDeps(image: ImageModel): readonly ImageModel[] {
    return this.#entry(this.#buildDeps, image);
  }

  /** The transitive run-time dependencies of `image` (itself excluded), in distro order. */
  runDeps(image: ImageModel): readonly ImageModel[] {
    return this.#entry(this.#runDeps, image);
  }

  /** The images plus their transitive run-time dependencies, in distro order: what must be mounted for them. */
  withRunDeps(images: readonly ImageModel[]): ImageModel[] {
    const wanted = new Set(images.flatMap((i) => [i, ...this.runDeps(i)]));
    return this.#images.filter((i) => wanted.has(i));
  }

  /** The named images plus their transitive build-time dependencies, dependencies first. */
  withBuildDeps(names: readonly string[]): ImageModel[] {
    const ordered: ImageModel[] = [];
    const visit = (image: ImageModel): void => {
      if (ordered.includes(image)) return;
      for (const dep of this.buildDeps(image)) visit(dep);
      ordered.push(image);
    };
    for (const image of this.#images) if (names.includes(image.name)) visit(image);
    return ordered;
  }

  #entry<T>(map: ReadonlyMap<ImageModel, T>, image: ImageModel): T {
    const entry = map.get(image);
    if (entry === undefined) throw new Error(`image ${image.name} is not of this distro`);
    return entry;
  }
}

function tagOf(repository: string, image: ImageModel, strategy: Strategy): string {
  return `${repository}/${image.name}:${image.version}${strategy === 'source' ? '-source' : ''}`;
}
