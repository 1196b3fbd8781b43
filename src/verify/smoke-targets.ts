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
import type { Distro } from '../manifest/model.js';

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
  const busybox = await ensureTarget(docker, `${repository}/target-busybox:1`, BUSYBOX_DOCKERFILE, true, signal);
  const empty = await ensureTarget(docker, `${repository}/target-empty:1`, EMPTY_DOCKERFILE, false, signal);
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
  signal: AbortSignal,
): Promise<string> {
  if (await docker.images.inspect(tag)) return tag;
  const rootfs = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-target-'));
  try {
    const trees: InjectedTree[] = [];
    if (withBusybox) {
      await stageBusybox(rootfs);
      trees.push({ at: 'rootfs', dir: rootfs });
    }
    await docker.images.build({
      image: tag,
      context: contextTar(new Map([['Dockerfile', dockerfile]]), trees),
      tag,
      labels: {},
      onLine: (line) => log('%s: %s', tag, line.text),
      idleTimeoutMs: TARGET_BUILD_IDLE_MS,
      signal,
    });
  } finally {
    await rm(rootfs, { recursive: true, force: true });
  }
  return tag;
}

/** `<rootfs>/bin/busybox`, refusing a dynamic busybox: the target would then have a libc after all. */
async function stageBusybox(rootfs: string): Promise<void> {
  const elf = await readElf(HOST_BUSYBOX).catch(() => undefined);
  if (!elf?.isStatic) {
    throw new DappdepsError(
      `the busybox smoke target needs a static busybox at ${HOST_BUSYBOX}: apt-get install busybox-static`,
    );
  }
  await mkdir(path.join(rootfs, 'bin'));
  await copyFile(HOST_BUSYBOX, path.join(rootfs, 'bin/busybox'));
  await chmod(path.join(rootfs, 'bin/busybox'), 0o755);
}
