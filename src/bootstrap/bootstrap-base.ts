import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { PassThrough, type Readable } from 'node:stream';
import { BootstrapError } from '../errors.js';
import type { DockerClient } from '../docker/docker-client.js';
import type { ImageClient } from '../docker/image-client.js';
import { dockerLog } from '../docker/log.js';
import { architectures, hostArchitecture, type Architecture } from '../manifest/architectures.js';
import { checkEmulation } from './emulation.js';
import { setImageArchitecture } from './image-architecture.js';

const log = dockerLog('bootstrap');

const DEFAULT_DEBIAN_MIRROR = 'http://deb.debian.org/debian';

/**
 * The config of Docker Hub's `debian:<suite>` images, which a bootstrapped one stands in for: without it, `docker run`
 * of anything made from it fails with "No command specified", and its processes get the engine's PATH, not Debian's.
 */
export const DEBIAN_IMAGE_CHANGES: readonly string[] = [
  'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  'CMD ["bash"]',
];

export interface BootstrapOptions {
  /** One message per state change, for the user ("bootstrapping debian:bookworm with debootstrap (~40 s)"). */
  onProgress?: (message: string) => void;
  /** The Debian mirror debootstrap downloads from. */
  mirror?: string;
  /** Stops debootstrap or the import; the temporary root is still removed. */
  signal?: AbortSignal;
}

/** How the base image came to be in the engine. */
export type BaseImageSource = 'present' | 'pulled' | 'bootstrapped';

/** `debian:bookworm` → `bookworm`; undefined for anything debootstrap cannot make (other images, `12`, `-slim`). */
export function debianSuiteOf(ref: string): string | undefined {
  return debianBaseOf(ref)?.suite;
}

/**
 * What debootstrap makes for `ref`: `debian:<suite>` of this machine's architecture, or of another one under
 * Docker Hub's per-architecture namespace (`arm64v8/debian:bookworm`); undefined for anything else.
 */
export function debianBaseOf(ref: string): { suite: string; arch: Architecture | undefined } | undefined {
  const m = /^(?:docker\.io\/)?(?:(library|[a-z0-9]+)\/)?debian:([a-z]+)$/.exec(ref);
  if (!m?.[2]) return undefined;
  if (m[1] === undefined || m[1] === 'library') return { suite: m[2], arch: undefined };
  const arch = Object.values(architectures).find((a) => a.hubNamespace === m[1]);
  return arch ? { suite: m[2], arch } : undefined;
}

/**
 * Makes sure the engine has the base image `ref`: present already, else pulled, else, for `debian:<suite>`,
 * bootstrapped offline-capable from Debian's mirror with `debootstrap --variant=minbase` (needs root and
 * debootstrap) and imported under that tag. Any other image that cannot be pulled is a BootstrapError saying
 * how to load it.
 */
export async function bootstrapBaseImage(
  docker: DockerClient,
  ref: string,
  options: BootstrapOptions = {},
): Promise<BaseImageSource> {
  const { onProgress = () => {}, mirror = DEFAULT_DEBIAN_MIRROR, signal } = options;
  if (await docker.images.inspect(ref)) return 'present';
  const debian = debianBaseOf(ref);
  const suite = debian?.suite;
  try {
    await docker.images.pull(ref);
    return 'pulled';
  } catch (pullError) {
    const hint = `load it with \`docker load -i <file>\` (an archive made by \`docker save ${ref}\` where it exists)`;
    if (suite === undefined) {
      throw new BootstrapError(`the engine has no image ${ref} and cannot pull it`, { cause: pullError, hint });
    }
    if (process.getuid?.() !== 0) {
      throw new BootstrapError(
        `the engine has no image ${ref} and cannot pull it; bootstrapping it with debootstrap needs root`,
        { cause: pullError, hint: `run as root, or ${hint}` },
      );
    }
    log('pull of %s failed, bootstrapping: %s', ref, pullError instanceof Error ? pullError.message : pullError);
  }

  // Another architecture's packages are configured (debootstrap's second stage) under emulation.
  const foreign = debian?.arch && debian.arch.debian !== hostArchitecture()?.debian ? debian.arch : undefined;
  if (foreign) await checkEmulation(foreign);
  onProgress(
    `bootstrapping ${ref} with debootstrap (${foreign ? `${foreign.debian} under emulation, minutes` : '~40 s'})`,
  );
  const rootfs = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-rootfs-'));
  try {
    const arch = debian?.arch ? ['--arch', debian.arch.debian] : [];
    const debootstrap = spawn('debootstrap', ['--variant=minbase', ...arch, suite, rootfs, mirror], {
      stdio: ['ignore', 'pipe', 'pipe'],
      signal,
    });
    await succeeded(debootstrap, `debootstrap ${ref}`, [debootstrap.stdout, debootstrap.stderr]);
    onProgress(`importing ${ref} into the engine`);
    if (debian?.arch) {
      // The import says the engine's architecture: imported under a temporary name, the tag only once it is right.
      const imported = `${ref}-import-${process.pid}`;
      await importDirectory(docker.images, rootfs, imported, signal);
      await setImageArchitecture(docker, imported, ref, debian.arch, signal).catch(async (error: unknown) => {
        await docker.images.remove(imported);
        throw error;
      });
    } else {
      await importDirectory(docker.images, rootfs, ref, signal);
    }
  } finally {
    await removeRootfs(rootfs);
  }
  onProgress(`bootstrapped ${ref}`);
  return 'bootstrapped';
}

/** Streams `tar -c` of `dir` into the engine's import; only a clean tar exit completes the archive. */
async function importDirectory(
  images: ImageClient,
  dir: string,
  tag: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  // --one-file-system: never archive something mounted inside the root (a debootstrap /proc left behind).
  const tar = spawn('tar', ['--numeric-owner', '--one-file-system', '-C', dir, '-c', '.'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    signal,
  });
  const archive = new PassThrough();
  tar.stdout.pipe(archive, { end: false });
  // A truncated archive must fail the import (destroying its body aborts the request), not become an image.
  const tarred = succeeded(tar, `tar of ${dir}`, [tar.stderr]).then(
    () => archive.end(),
    (error: unknown) => {
      archive.destroy(error as Error);
      throw error;
    },
  );
  // When the engine refuses the import, nobody reads tar's output any more: stop it rather than wait forever.
  const imported = images.importRootfs(archive, tag, DEBIAN_IMAGE_CHANGES).finally(() => tar.kill());
  await Promise.all([tarred, imported]);
}

/** Resolves when `child` exits 0; otherwise rejects with a BootstrapError carrying its last output lines. */
function succeeded(child: ChildProcess, what: string, outputs: (Readable | null)[]): Promise<void> {
  const tail: string[] = [];
  for (const output of outputs) {
    if (!output) continue;
    createInterface({ input: output }).on('line', (line) => {
      log('%s: %s', what, line);
      tail.push(line);
      if (tail.length > 20) tail.shift();
    });
  }
  return new Promise((resolve, reject) => {
    // 'close' also follows a failed spawn or an abort, and only once the process is gone (debootstrap unmounts
    // on its way out): settle there, never while the process may still write into the root.
    let failure: NodeJS.ErrnoException | undefined;
    child.once('error', (error) => (failure = error));
    child.once('close', (code, signal) => {
      if (failure) {
        const missing = failure.code === 'ENOENT';
        const reason = missing ? `${child.spawnfile} is not installed` : failure.message;
        const hint = missing ? `apt-get install ${child.spawnfile}` : undefined;
        return reject(new BootstrapError(`${what} failed: ${reason}`, { cause: failure, ...(hint ? { hint } : {}) }));
      }
      if (code === 0) return resolve();
      const output = tail.length > 0 ? `:\n  ${tail.join('\n  ')}` : '';
      reject(new BootstrapError(`${what} failed (${signal ?? `exit ${code}`})${output}`));
    });
  });
}

/**
 * Removes the temporary root, unless something is still mounted inside it (debootstrap mounts /proc and /sys
 * and unmounts them on exit; if it was killed hard, deleting through those mounts would reach the host).
 */
async function removeRootfs(dir: string): Promise<void> {
  const mounts = (await readFile('/proc/self/mounts', 'utf8'))
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '')
    .filter((mountPoint) => mountPoint.startsWith(`${dir}/`));
  if (mounts.length > 0) {
    throw new BootstrapError(`left ${dir} in place: ${mounts.join(', ')} still mounted there`, {
      hint: 'unmount them, then remove it',
    });
  }
  await rm(dir, { recursive: true, force: true });
}
