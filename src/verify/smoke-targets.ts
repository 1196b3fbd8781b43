import { bootstrapBaseImage } from '../bootstrap/bootstrap-base.js';
import type { DockerClient } from '../docker/docker-client.js';
import type { Distro } from '../manifest/model.js';
import {
  BUSYBOX_DOCKERFILE,
  EMPTY_DOCKERFILE,
  ensureTargetImage,
  muslDockerfile,
  muslProgramFiles,
  nonRootDockerfile,
} from './target-images.js';
import type { TargetRunOptions } from './run-check.js';
import { QUICK_TARGETS, type TargetName } from './target-names.js';

/** A program of the target's own, run with the prefixes mounted: it must still work. */
export interface OwnProgram {
  argv: string[];
  expect: string;
}

/** An image the smoke commands run in. */
export interface SmokeTarget {
  /** Its column in the matrix. */
  name: string;
  image: string;
  /** The target's own programs, checked to keep working beside our prefixes; none in an empty image. */
  ownPrograms: OwnProgram[];
  /** It has /bin/sh and env: the environment a shell sees is compared with and without the prefixes. */
  hasShell: boolean;
  run: TargetRunOptions;
}

interface Context {
  docker: DockerClient;
  distro: Distro;
  signal: AbortSignal;
  onProgress: (message: string) => void;
}

const ls = (expect: string): OwnProgram => ({ argv: ['/bin/ls', '/'], expect });

/** `debian:bookworm` → `debian:<suite>`, keeping an architecture's namespace (`arm64v8/debian:<suite>`). */
const debianSuite = (distro: Distro, suite: string) =>
  distro.settings.binary.baseImage.replace(/:[^:/]+$/, `:${suite}`);

async function debian(ctx: Context, ref: string, name = ref): Promise<SmokeTarget> {
  await bootstrapBaseImage(ctx.docker, ref, { signal: ctx.signal, onProgress: ctx.onProgress });
  return { name, image: ref, ownPrograms: [ls('usr')], hasShell: true, run: {} };
}

/** `<repository>/<image>:1`, built when missing; a static busybox goes into the context where it copies one. */
async function built(ctx: Context, image: string, dockerfile: string, files: Record<string, string> = {}) {
  const tag = `${ctx.distro.settings.repository}/${image}:1${ctx.distro.index.tagSuffix}`;
  const withBusybox = dockerfile.includes('COPY rootfs/');
  await ensureTargetImage(ctx.docker, { tag, dockerfile, files, withBusybox }, ctx);
  return tag;
}

/** How each target is made when the engine lacks it. */
const makers: Record<TargetName, (ctx: Context) => Promise<SmokeTarget>> = {
  busybox: async (ctx) => ({
    name: 'busybox',
    image: await built(ctx, 'target-busybox', BUSYBOX_DOCKERFILE),
    ownPrograms: [ls('bin')],
    hasShell: true,
    run: {},
  }),
  empty: async (ctx) => ({
    name: 'empty',
    image: await built(ctx, 'target-empty', EMPTY_DOCKERFILE),
    ownPrograms: [],
    hasShell: false,
    run: {},
  }),
  base: (ctx) => debian(ctx, ctx.distro.settings.binary.baseImage),
  bullseye: (ctx) => debian(ctx, debianSuite(ctx.distro, 'bullseye')),
  trixie: (ctx) => debian(ctx, debianSuite(ctx.distro, 'trixie')),
  sid: (ctx) => debian(ctx, debianSuite(ctx.distro, 'sid')),
  musl: async (ctx) => {
    const base = (await debian(ctx, ctx.distro.settings.binary.baseImage)).image;
    return {
      name: 'musl',
      image: await built(ctx, 'target-musl', muslDockerfile(base), muslProgramFiles),
      ownPrograms: [ls('bin'), { argv: ['/usr/bin/hello-musl'], expect: 'hello from musl: uid 0 is root' }],
      hasShell: true,
      run: {},
    };
  },
  'read-only': async (ctx) => ({
    ...(await debian(ctx, ctx.distro.settings.binary.baseImage)),
    name: 'read-only',
    // Ansible's home and temporary files (ANSIBLE_HOME, TMPDIR) are the one place the tools write.
    run: { readOnly: true, tmpfs: { '/tmp': 'rw,nosuid,nodev,mode=1777' } },
  }),
  'non-root': async (ctx) => {
    const base = (await debian(ctx, ctx.distro.settings.binary.baseImage)).image;
    return {
      name: 'non-root',
      image: await built(ctx, 'target-nonroot', nonRootDockerfile(base)),
      ownPrograms: [ls('usr')],
      hasShell: true,
      run: {},
    };
  },
};

/**
 * The targets of the smoke matrix, made when missing (Debian releases bootstrapped, the others built from them or
 * from scratch), in the order asked. The default is the quick set: scratch with a static busybox (no libc), an
 * empty scratch image, and the binary strategy's base image (a full Debian).
 */
export async function ensureSmokeTargets(
  docker: DockerClient,
  distro: Distro,
  signal: AbortSignal,
  onProgress: (message: string) => void = () => undefined,
  names: readonly TargetName[] = QUICK_TARGETS,
): Promise<SmokeTarget[]> {
  const ctx: Context = { docker, distro, signal, onProgress };
  const targets: SmokeTarget[] = [];
  for (const name of names) targets.push(await makers[name](ctx));
  return targets;
}
