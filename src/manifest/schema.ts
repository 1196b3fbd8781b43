import { z } from 'zod';
import { architectureNames } from './architectures.js';
import * as p from './patterns.js';

/*
 * The manifest schema. Objects are strict (unknown keys are errors); every string is constrained by a
 * pattern from patterns.ts. The same schema is published as JSON Schema (schema/*.schema.json) for editors.
 */

const checksums = {
  md5: p.md5.optional().describe('Accepted for the 2017 pins, with a warning; prefer sha256.'),
  sha256: p.sha256.optional(),
};

/** A downloaded source: pinned by URL and checksum. */
export const sourceArchive = z.strictObject({
  name: p.softwareName,
  version: p.upstreamVersion,
  url: p.url,
  ...checksums,
});

const envMap = z.record(p.envName, p.envValue);

export const lfsStep = z.enum([
  'binutils-pass1',
  'gcc-pass1',
  'linux-headers',
  'glibc',
  'libstdcxx',
  'binutils-pass2',
  'gcc-pass2',
]);

/** The toolchain: Linux From Scratch chapter 5, built with --prefix=<prefix>. */
export const lfsSource = z.strictObject({
  kind: z.literal('lfs'),
  target: z
    .string()
    .regex(/^[a-z0-9_]+-[a-z0-9_]+-linux-gnu$/, { message: 'must be a GNU triplet, e.g. x86_64-lfs-linux-gnu' }),
  makeJobs: z.int().min(1).max(64),
  buildPackages: z.array(p.debianPackage).min(1),
  sources: z.array(sourceArchive).min(1),
  stages: z.array(z.strictObject({ step: lfsStep, configure: z.array(p.shellWord).default([]) })).min(1),
});

const configureMake = z.strictObject({
  kind: z.literal('configure-make'),
  configure: z.array(p.shellWord).default([]),
  env: envMap.default({}),
  install: z.array(p.shellWord).min(1).default(['install']),
});
/** `<embedded>/bin/python setup.py install` in the unpacked source. */
const pythonSetup = z.strictObject({ kind: z.literal('python-setup') });
/** `<embedded>/bin/pip install --no-deps --no-index .` in the unpacked source (nothing fetched by pip). */
const pipLocal = z.strictObject({ kind: z.literal('pip-local') });

export const omnibusSoftware = z.strictObject({
  name: p.softwareName,
  version: p.upstreamVersion,
  url: p.url,
  ...checksums,
  license: p.license.optional(),
  licenseFile: p.relativePath.optional(),
  /** Directory the archive unpacks to; Omnibus' default is `<name>-<version>`. */
  relativePath: p.relativePath.optional(),
  deps: z.array(p.softwareName).default([]),
  build: z.discriminatedUnion('kind', [configureMake, pythonSetup, pipLocal]),
  /** Files written under the prefix after install (e.g. sudoers). */
  files: z.array(z.strictObject({ path: p.relativePath, content: p.text })).default([]),
  /** Paths under the prefix deleted after install. */
  remove: z.array(p.relativePath).default([]),
});

/** base, git, ansible: an Omnibus project of our own, built with the toolchain first on PATH. */
export const omnibusSource = z.strictObject({
  kind: z.literal('omnibus'),
  project: p.softwareName,
  gems: z.strictObject({ omnibus: p.gemRequirement }),
  buildIteration: z.int().min(1).default(1),
  topSoftware: z.array(p.softwareName).min(1),
  software: z.array(omnibusSoftware).default([]),
});

/** chefdk: chef's own Omnibus project from its release tarball, install_dir overridden. */
export const upstreamOmnibusSource = z.strictObject({
  kind: z.literal('upstream-omnibus'),
  project: p.softwareName,
  archive: sourceArchive,
  /** Directory the archive unpacks to. */
  relativePath: p.relativePath,
  defaultInstallDir: p.absolutePath,
  /** Files in the upstream tree where defaultInstallDir is replaced by the prefix. */
  rewriteFiles: z.array(p.relativePath).default([]),
  /** The .deb file Omnibus produces, unpacked with dpkg -x. */
  package: z.string().regex(/^[a-z0-9][a-z0-9_.+-]*\.deb$/, { message: 'must be a .deb file name' }),
});

export const sourceStrategy = z.discriminatedUnion('kind', [lfsSource, omnibusSource, upstreamOmnibusSource]);

export const launcherEnvOp = z.enum(['set', 'default', 'prepend', 'append', 'unset', 'default-dir']);

export const launcherEnv = z.strictObject({
  op: launcherEnvOp,
  name: p.launcherEnvName,
  value: p.launcherValue.optional(),
  /** For the tool's own process only: the value from before is recorded, and the prefix's Python gives it back to
   * the programs it starts. */
  private: z.boolean().default(false),
  /** Skip this entry where the path exists in the target image (e.g. its own /bin/sh). */
  unlessExists: p.absolutePath.optional(),
});

/** A static launcher standing in for tools whose data paths are compiled in; it sets only their environment. */
export const launcher = z.strictObject({
  /** Paths relative to the prefix (e.g. bin/git) that become the launcher. */
  tools: z.array(p.relativePath).min(1),
  /** Applied in order; `default` keeps a value the user set, `default-dir` also creates the folder. */
  env: z.array(launcherEnv).default([]),
});

/** The binary strategy: a distribution's binary packages, relocated and sealed. */
export const binaryStrategy = z.strictObject({
  /** Debian packages installed in the build stage whose files are copied into the prefix. */
  packages: z.array(p.debianPackage).min(1),
  /** Installed in the build stage only, not copied (e.g. ca-certificates, which generates a bundle for `paths`). */
  buildPackages: z.array(p.debianPackage).default([]),
  /** Build-stage files owned by no package (generated CA bundle, locale data) copied in too. */
  paths: z.array(p.stagePath).default([]),
  /** Removed from the prefix before the library closure is computed (and again at the end). */
  drop: z.array(p.sealGlob).default([]),
  /** Packages of which only the needed libraries are copied, not the whole package. */
  libOnly: z.array(p.debianPackage).default([]),
  launchers: z.array(launcher).default([]),
  /** Programs of the seal kit installed into the prefix, e.g. the ansible image's sudo for root (sudo-root.py). */
  kit: z.array(z.strictObject({ file: p.kitFile, path: p.relativePath })).default([]),
  /**
   * Symlinks made in the prefix to programs of the prefix or of a run-time dependency (`{prefix:base}/bin/mkdir`):
   * e.g. a folder on tasks' PATH holding only the programs they may borrow.
   */
  links: z.array(z.strictObject({ path: p.relativePath, target: p.launcherValue })).default([]),
  /** The build-time dependency whose gcc compiles the launchers (e.g. toolchain). */
  compiler: p.imageName.optional(),
  /** Write gcc's specs so what this image's gcc compiles uses the prefix's loader and libraries. */
  gccSpecs: z.boolean().default(false),
  /** The architectures whose packages this list names (default: every one of distro.yaml's `architectures`). */
  architectures: z.array(z.enum(architectureNames)).min(1).optional(),
});

export const smokeCommand = z.strictObject({
  /** argv, run without a shell; the first word is a path relative to the prefix; `{prefix}` is replaced. */
  run: z.tuple([p.relativePath], z.string().regex(/^[^\n\r\0]{0,500}$/, { message: 'must be one line' })),
  /** A substring the command's output must contain. */
  expect: z
    .string()
    .regex(/^[^\n\r\0]{1,200}$/, { message: 'must be one line' })
    .optional(),
});

/** Values for `{name}` in a manifest's strings, per suite (e.g. `{ python: "3.13" }`). */
export const suiteVars = z.record(p.suiteVarName, p.suiteVarValue);

/** An image's entry for one of distro.yaml's other suites: it is built there too, with this version. */
export const imageSuite = z.strictObject({
  /** The prefix's version in that suite: must differ from every other suite's, so both live side by side. */
  version: p.version,
  vars: suiteVars.default({}),
});

export const imageManifest = z.strictObject({
  $schema: z.string().optional(),
  name: p.imageName,
  /** The version in the default suite (distro.yaml's `binary.suite`). */
  version: p.version,
  /** Older tags of the default suite's image, kept as aliases of it for a release so existing users don't break. */
  aliases: z.array(p.version).default([]),
  /** `{name}` values in the default suite. */
  vars: suiteVars.default({}),
  /** The other suites this image is built in (distro.yaml's `suites`), with their version and variables. */
  suites: z.record(p.suiteName, imageSuite).default({}),
  description: p.text,
  dependencies: z
    .strictObject({
      /** The dependency's prefix must be present inside the build stage (extracted from its image). */
      build: z.array(p.imageName).default([]),
      /** The dependency's prefix is mounted beside this one when it is used. */
      run: z.array(p.imageName).default([]),
    })
    .default({ build: [], run: [] }),
  /** Tools exposed at `<prefix>/bin/<tool>` by every strategy: the image's consumer contract. */
  bin: z.array(p.toolName).default([]),
  source: sourceStrategy.optional(),
  binary: binaryStrategy.optional(),
  smoke: z.array(smokeCommand).default([]),
});

export const distroSettings = z.strictObject({
  $schema: z.string().optional(),
  prefixRoot: p.absolutePath,
  repository: z.string().regex(/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/, {
    message: 'must be a Docker repository name, e.g. "dappdeps"',
  }),
  volumePrefix: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_.-]{0,40}$/, { message: 'must be a container-name prefix, e.g. "dappdeps-"' }),
  architecture: z.strictObject({ gnu: z.enum(['x86_64', 'aarch64']), debian: z.enum(architectureNames) }),
  /** Debian architectures `build --arch` and `verify --arch` accept (default: `architecture` alone). Images of any
   * other than `architecture` are tagged `<version>-<arch>` and built under emulation where the CPU differs. */
  architectures: z.array(z.enum(architectureNames)).min(1).optional(),
  labels: z.strictObject({ source: p.url, vendor: p.text.optional() }),
  /** Templates folder, relative to the distro folder; default: the package's own templates/. */
  templates: p.relativePath.optional(),
  /** Audit every image at the end of its build (ELF resolution, nothing outside the prefix). Test fixtures that
   * are deliberately not sealed turn it off. */
  audit: z.boolean().default(true),
  /** Default registry of `push` and `pull` (DAPPDEPS_REGISTRY and --registry override it), e.g. a mirror. */
  registry: p.registry.optional(),
  /** The registry `build` uses as its shared cache (--cache and DAPPDEPS_CACHE override it): images are looked up by
   * content hash before being built, and pushed there after (`push: false` for a read-only cache). */
  cache: z
    .strictObject({
      repository: p.cacheRepository,
      push: z.boolean().default(true),
    })
    .optional(),
  source: z.strictObject({ baseImage: p.imageRef }),
  binary: z.strictObject({
    baseImage: p.imageRef,
    /** The default suite's codename: the one every image is built in, with plain tags and `distro.lock`. */
    suite: p.suiteName.optional(),
    /** `{name}` values every manifest gets in the default suite. */
    vars: suiteVars.default({}),
  }),
  /**
   * Other Debian suites the binary images are built from as well (e.g. trixie beside bookworm): an image listing the
   * suite in its own `suites` is built there with that version, from this base image, locked in distro.<suite>.lock.
   */
  suites: z
    .record(
      p.suiteName,
      z.strictObject({
        baseImage: p.imageRef,
        vars: suiteVars.default({}),
        /** The architectures the suite is built for (default: every one of `architectures`). */
        architectures: z.array(z.enum(architectureNames)).min(1).optional(),
      }),
    )
    .default({}),
});

export type ImageManifest = z.infer<typeof imageManifest>;
export type DistroSettings = z.infer<typeof distroSettings>;
export type SourceStrategy = z.infer<typeof sourceStrategy>;
export type LfsSource = z.infer<typeof lfsSource>;
export type OmnibusSource = z.infer<typeof omnibusSource>;
export type UpstreamOmnibusSource = z.infer<typeof upstreamOmnibusSource>;
export type OmnibusSoftware = z.infer<typeof omnibusSoftware>;
export type SourceArchive = z.infer<typeof sourceArchive>;
export type LfsStep = z.infer<typeof lfsStep>;
export type BinaryStrategy = z.infer<typeof binaryStrategy>;
export type SuiteVars = z.infer<typeof suiteVars>;
export type SmokeCommand = z.infer<typeof smokeCommand>;
