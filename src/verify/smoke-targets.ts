import { chmod, copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import createDebug from 'debug';
import { readElf } from '../audit/elf-reader.js';
import { contextTar, type InjectedTree } from '../orchestrator/context-tar.js';
import { bootstrapBaseImage } from '../bootstrap/bootstrap-base.js';
import type { DockerClient } from '../docker/docker-client.js';
import { DappdepsError } from '../errors.js';
import { labels } from '../labels.js';
import { hostArchitecture, type Architecture } from '../manifest/architectures.js';
import { distroArchitecture } from '../manifest/distro-for-architecture.js';
import type { Distro } from '../manifest/model.js';
import { setImageArchitecture } from '../bootstrap/image-architecture.js';
import { fetchForeignBusybox } from './foreign-busybox.js';

const log = createDebug('dappdeps:verify:targets');

/** Debian's static busybox (package busybox-static) on the host. */
const HOST_BUSYBOX = '/bin/busybox';
/** Building a two-line image never takes this long. */
const TARGET_BUILD_IDLE_MS = 120_000;

/** An image the smoke commands run in. */
export interface SmokeTarget {
  /** Its column in the matrix. */
  name: string;
  image: string;
  /** A full distribution image: its own tools are checked to keep working beside our prefixes. */
  hasOwnTools: boolean;
}

const BUSYBOX_DOCKERFILE = `# scratch + Debian's static busybox: a shell and tools, but no libc and no /etc/passwd
FROM scratch
COPY rootfs/ /
RUN ["/bin/busybox", "--install", "-s", "/bin"]
LABEL ${labels.target}=busybox
`;

/** The classic builder makes no image from a bare FROM scratch: the label is its one instruction. */
const EMPTY_DOCKERFILE = `# nothing at all: only the prefixes mounted into it
FROM scratch
LABEL ${labels.target}=empty
`;

/**
 * The three targets of the smoke matrix, made when missing: scratch with a static busybox (no libc),
 * an empty scratch image, and the binary strategy's base image (a full Debian).
 */
export async function ensureSmokeTargets(
  docker: DockerClient,
  distro: Distro,
  signal: AbortSignal,
  onProgress: (message: string) => void = () => undefined,
): Promise<SmokeTarget[]> {
  const repository = distro.settings.repository;
  const base = distro.settings.binary.baseImage;
  await bootstrapBaseImage(docker, base, { signal, onProgress });
  const made = { distro, signal };
  const suffix = distro.index.tagSuffix;
  const busybox = await ensureTarget(docker, `${repository}/target-busybox:1${suffix}`, BUSYBOX_DOCKERFILE, true, made);
  const empty = await ensureTarget(docker, `${repository}/target-empty:1${suffix}`, EMPTY_DOCKERFILE, false, made);
  return [
    { name: 'busybox', image: busybox, hasOwnTools: false },
    { name: 'empty', image: empty, hasOwnTools: false },
    { name: base, image: base, hasOwnTools: true },
  ];
}

async function ensureTarget(
  docker: DockerClient,
  tag: string,
  dockerfile: string,
  withBusybox: boolean,
  { distro, signal }: { distro: Distro; signal: AbortSignal },
): Promise<string> {
  if (await docker.images.inspect(tag)) return tag;
  const arch = distroArchitecture(distro);
  // Another architecture's target is tagged once its config says so (see setImageArchitecture).
  const built = distro.platform ? `${tag}-unset-arch` : tag;
  const rootfs = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-target-'));
  try {
    const trees: InjectedTree[] = [];
    if (withBusybox) {
      await stageBusybox(rootfs, arch);
      trees.push({ at: 'rootfs', dir: rootfs });
    }
    await docker.images.build({
      image: tag,
      context: contextTar(new Map([['Dockerfile', dockerfile]]), trees),
      tag: built,
      labels: {},
      onLine: (line) => log('%s: %s', tag, line.text),
      idleTimeoutMs: TARGET_BUILD_IDLE_MS,
      ...(distro.platform ? { platform: distro.platform } : {}),
      signal,
    });
    if (built !== tag) await setImageArchitecture(docker, built, tag, arch, signal);
  } finally {
    await rm(rootfs, { recursive: true, force: true });
  }
  return tag;
}

/**
 * `<rootfs>/bin/busybox` of the architecture (the host's for its own, Debian's package for another), refusing a
 * dynamic busybox (the target would then have a libc after all) and one of another machine.
 */
async function stageBusybox(rootfs: string, arch: Architecture): Promise<void> {
  await mkdir(path.join(rootfs, 'bin'));
  const staged = path.join(rootfs, 'bin/busybox');
  if (hostArchitecture()?.debian === arch.debian) await copyFile(HOST_BUSYBOX, staged).catch(() => undefined);
  else await fetchForeignBusybox(arch, staged);
  const elf = await readElf(staged).catch(() => undefined);
  if (!elf?.isStatic || elf.machine !== arch.elfMachine) {
    throw new DappdepsError(
      `the busybox smoke target needs a static ${arch.debian} busybox at ${HOST_BUSYBOX}: apt-get install busybox-static`,
    );
  }
  await chmod(staged, 0o755);
}
