import { chmod, copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import createDebug from 'debug';
import { readElf } from '../audit/elf-reader.js';
import { contextTar, type InjectedTree } from '../orchestrator/context-tar.js';
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
/** Building a small image never takes this long without a line of output (the musl one runs apt). */
const TARGET_BUILD_IDLE_MS = 300_000;

export const BUSYBOX_DOCKERFILE = `# scratch + Debian's static busybox: a shell and tools, but no libc and no /etc/passwd
FROM scratch
COPY rootfs/ /
RUN ["/bin/busybox", "--install", "-s", "/bin"]
LABEL ${labels.target}=busybox
`;

/** The classic builder makes no image from a bare FROM scratch: the label is its one instruction. */
export const EMPTY_DOCKERFILE = `# nothing at all: only the prefixes mounted into it
FROM scratch
LABEL ${labels.target}=empty
`;

/** A program the musl target links against musl: it prints, and looks a user up in the target's /etc/passwd. */
const MUSL_PROGRAM = `#include <pwd.h>
#include <stdio.h>
int main(void)
{
	struct passwd *p = getpwuid(0);
	printf("hello from musl: uid 0 is %s\\n", p ? p->pw_name : "unknown");
	return 0;
}
`;

/**
 * Alpine's layout without Alpine (its mirror is not reachable here): musl's loader, which is its libc, at
 * /lib/ld-musl-<arch>.so.1 with libc.musl-<arch>.so.1 beside it, from Debian's \`musl\` package; a program linked
 * by \`musl-gcc\` (Debian's \`musl-tools\`); a static busybox as the shell; Alpine's /etc/passwd and /etc/group.
 * No glibc anywhere: the build fails when one of its files made it in.
 */
export const muslDockerfile = (
  base: string,
) => `# musl only: musl's loader and libc, a program linked against them, a static busybox
FROM ${base} AS musl
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends musl musl-tools >/dev/null
COPY hello-musl.c /src/
RUN set -e; mkdir -p /out/lib /out/usr/bin /out/etc; \\
    loader=$(ls /lib/ld-musl-*.so.1); name=\${loader##*/}; \\
    cp -L "$loader" "/out/lib/$name"; ln -s "$name" "/out/lib/libc.musl-\${name#ld-musl-}"; \\
    musl-gcc -Os -o /out/usr/bin/hello-musl /src/hello-musl.c; \\
    printf 'root:x:0:0:root:/root:/bin/sh\\nnobody:x:65534:65534:nobody:/:/sbin/nologin\\n' >/out/etc/passwd; \\
    printf 'root:x:0:root\\nnobody:x:65534:\\n' >/out/etc/group; \\
    printf 'NAME="musl target (dappdeps)"\\nID=dappdeps-musl\\n' >/out/etc/os-release; \\
    ! find /out -name 'libc.so.6' -o -name 'ld-linux*' | grep .
FROM scratch
COPY --from=musl /out/ /
COPY rootfs/ /
RUN ["/bin/busybox", "--install", "-s", "/bin"]
LABEL ${labels.target}=musl
`;

/** Debian's nobody: its home, /nonexistent, does not exist, so nothing can be written there. */
export const nonRootDockerfile = (base: string) => `# a non-root user with no writable home
FROM ${base}
USER 65534:65534
ENV HOME=/nonexistent
LABEL ${labels.target}=non-root
`;

export interface TargetImageSpec {
  tag: string;
  dockerfile: string;
  /** Files beside the Dockerfile. */
  files?: Record<string, string>;
  /** A static busybox at rootfs/bin/busybox in the context. */
  withBusybox: boolean;
}

export const muslProgramFiles = { 'hello-musl.c': MUSL_PROGRAM };

/** Builds the target image `spec.tag` unless the engine has it; returns the tag. */
export async function ensureTargetImage(
  docker: DockerClient,
  spec: TargetImageSpec,
  { distro, signal }: { distro: Distro; signal: AbortSignal },
): Promise<string> {
  const { tag } = spec;
  if (await docker.images.inspect(tag)) return tag;
  const arch = distroArchitecture(distro);
  // Another architecture's target is tagged once its config says so (see setImageArchitecture).
  const built = distro.platform ? `${tag}-unset-arch` : tag;
  const rootfs = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-target-'));
  try {
    const trees: InjectedTree[] = [];
    if (spec.withBusybox) {
      await stageBusybox(rootfs, arch);
      trees.push({ at: 'rootfs', dir: rootfs });
    }
    await docker.images.build({
      image: tag,
      context: contextTar(new Map([['Dockerfile', spec.dockerfile], ...Object.entries(spec.files ?? {})]), trees),
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
