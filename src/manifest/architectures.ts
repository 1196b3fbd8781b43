/**
 * The CPU architectures dappdeps can build for, by their Debian name. One table, so the GNU triplet, the
 * Docker platform, the ELF machine the audit expects and the per-architecture names never disagree.
 */
export const architectureNames = ['amd64', 'arm64'] as const;
export type ArchitectureName = (typeof architectureNames)[number];

export interface Architecture {
  /** Debian's name (`dpkg --print-architecture`, debootstrap's `--arch`). */
  debian: ArchitectureName;
  /** The first part of the GNU multiarch triplet (`lib/<gnu>-linux-gnu`). */
  gnu: 'x86_64' | 'aarch64';
  /** Docker's platform (`docker build --platform`) and the image config's `architecture`/`variant`. */
  platform: `linux/${string}`;
  dockerArch: string;
  dockerVariant: string | undefined;
  /** e_machine of every ELF file built for it. */
  elfMachine: number;
  /** Docker Hub's official per-architecture namespace (`arm64v8/debian`), used for per-architecture base images. */
  hubNamespace: string;
  /** Node's `process.arch` on such a CPU: emulation is needed elsewhere. */
  nodeArch: string;
  /** binfmt_misc entry that runs it under emulation (Debian's qemu-user-static). */
  binfmtEntry: string;
}

export const architectures: Readonly<Record<ArchitectureName, Architecture>> = {
  amd64: {
    debian: 'amd64',
    gnu: 'x86_64',
    platform: 'linux/amd64',
    dockerArch: 'amd64',
    dockerVariant: undefined,
    elfMachine: 62,
    hubNamespace: 'amd64',
    nodeArch: 'x64',
    binfmtEntry: 'qemu-x86_64',
  },
  arm64: {
    debian: 'arm64',
    gnu: 'aarch64',
    platform: 'linux/arm64',
    dockerArch: 'arm64',
    dockerVariant: 'v8',
    elfMachine: 183,
    hubNamespace: 'arm64v8',
    nodeArch: 'arm64',
    binfmtEntry: 'qemu-aarch64',
  },
};

/** Names of the ELF machines an image may hold by mistake, for violations ("x86-64", "AArch64"). */
const ELF_MACHINE_NAMES: Readonly<Record<number, string>> = {
  3: 'i386',
  8: 'MIPS',
  20: 'PowerPC',
  21: 'PowerPC64',
  22: 'S/390',
  40: 'ARM',
  62: 'x86-64',
  183: 'AArch64',
  243: 'RISC-V',
  258: 'LoongArch',
};

export function elfMachineName(machine: number): string {
  return ELF_MACHINE_NAMES[machine] ?? `e_machine ${machine}`;
}

/** The architecture of the machine dappdeps runs on, when it is one of ours. */
export function hostArchitecture(nodeArch: string = process.arch): Architecture | undefined {
  return Object.values(architectures).find((a) => a.nodeArch === nodeArch);
}
