import { UsageError } from '../errors.js';
import { architectures, type Architecture, type ArchitectureName } from './architectures.js';
import { DistroIndex } from './distro-index.js';
import type { Distro, ImageModel } from './model.js';

/** The architectures the distro may be built for: `architectures:` in distro.yaml, else its one `architecture`. */
export function allowedArchitectures(distro: Distro): ArchitectureName[] {
  return distro.settings.architectures ?? [distro.settings.architecture.debian];
}

/** The architecture of the distro's images (the default one, or the one `distroForArchitecture` chose). */
export function distroArchitecture(distro: Distro): Architecture {
  return architectures[distro.settings.architecture.debian];
}

/**
 * The distro as built for `name`: the same images, their multiarch triplet, base images and tags made for that
 * architecture (`dappdeps/base:0.2.3-arm64`, `arm64v8/debian:bookworm`), and the Docker platform every build
 * asks for. The default architecture (or none asked) gives the distro unchanged.
 */
export function distroForArchitecture(distro: Distro, name: string | undefined): Distro {
  if (name === undefined || name === distro.settings.architecture.debian) return distro;
  const allowed = allowedArchitectures(distro);
  if (!(allowed as string[]).includes(name))
    throw new UsageError(
      `architecture "${name}" is not one of distro.yaml's architectures (${allowed.join(', ')}); add it there to build it`,
    );
  const arch = architectures[name as ArchitectureName];
  const settings = {
    ...distro.settings,
    architecture: { gnu: arch.gnu, debian: arch.debian },
    source: { baseImage: baseImageFor(distro.settings.source.baseImage, arch) },
    binary: { ...distro.settings.binary, baseImage: baseImageFor(distro.settings.binary.baseImage, arch) },
  };
  const images = imagesFor(distro.images, arch);
  return {
    ...distro,
    settings,
    images,
    index: new DistroIndex(settings, images, `-${arch.debian}`),
    platform: arch.platform,
  };
}

/** Debian's packages that let a build stage compile static programs (the launchers). */
const STAGE_COMPILER = { packages: ['gcc', 'libc6-dev'], path: '/usr/bin/gcc' } as const;

/**
 * The images as built for `arch`. One whose binary strategy names other architectures' packages only has no binary
 * strategy here. An image whose `compiler` is such an image compiles its launchers with the build stage's own gcc.
 */
function imagesFor(images: readonly ImageModel[], arch: Architecture): ImageModel[] {
  const builds = (i: ImageModel | undefined) =>
    !i?.manifest.binary?.architectures || i.manifest.binary.architectures.includes(arch.debian);
  const byName = new Map(images.map((i) => [i.name, i]));
  return images.map((image) => {
    const { binary, ...rest } = image.manifest;
    if (!binary) return image;
    if (!builds(image)) return { ...image, manifest: rest };
    return withStageCompiler(image, (name) => builds(byName.get(name)));
  });
}

/**
 * The image compiling its launchers with the build stage's own gcc (Debian's, installed for the build only) where
 * its `compiler` image is not made here (`made` says no: another architecture, or a suite without it). It no longer
 * needs that image: the launchers are static, so they are the same programs, and the build skips making and
 * sealing a whole toolchain.
 */
export function withStageCompiler(image: ImageModel, made: (name: string) => boolean): ImageModel {
  const { manifest } = image;
  const { binary } = manifest;
  const compiler = binary?.compiler;
  if (!binary || !compiler || made(compiler)) return image;
  const { compiler: _stage, ...withoutCompiler } = binary;
  return {
    ...image,
    stageCompiler: STAGE_COMPILER.path,
    manifest: {
      ...manifest,
      dependencies: { ...manifest.dependencies, build: manifest.dependencies.build.filter((n) => n !== compiler) },
      binary: { ...withoutCompiler, buildPackages: [...binary.buildPackages, ...STAGE_COMPILER.packages] },
    },
  };
}

/**
 * A base image of the architecture: an official image (`debian:bookworm`) comes from Docker Hub's namespace of that
 * architecture (`arm64v8/debian:bookworm`, what a registry or mirror serves too); any other gets the tag suffix.
 */
export function baseImageFor(ref: string, arch: Architecture): string {
  const official = /^(?:docker\.io\/)?(?:library\/)?([a-z0-9]+(?:[._-][a-z0-9]+)*:[\w][\w.-]*)$/.exec(ref);
  if (official?.[1]) return `${arch.hubNamespace}/${official[1]}`;
  if (ref.includes('@')) throw new UsageError(`base image ${ref} is pinned by digest: no ${arch.debian} image follows`);
  const tagged = ref.slice(ref.lastIndexOf('/') + 1).includes(':');
  return tagged ? `${ref}-${arch.debian}` : `${ref}:latest-${arch.debian}`;
}
