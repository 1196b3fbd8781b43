import type { TarEntryInfo } from '../archive/tar/filter-tar.js';
import type { EngineProduct } from '../docker/types.js';

/**
 * What the engine itself writes into a container's own layer, so that a commit keeps it: the mount points of
 * the files it provides (`/etc/hosts`, `/etc/hostname`, `/etc/resolv.conf`, Podman's `/run/.containerenv`),
 * the `/etc/mtab` link, and the directories it mounts over (`/dev`, `/proc`, `/sys`) when the image lacks
 * them. dockerd keeps all of that in the container's init layer, which `docker commit` leaves out; Podman's
 * commit keeps it. A playbook cannot have written these files: the engine's bind mounts sit on them.
 */
const WRITTEN_BY: Record<EngineProduct, { files: readonly string[]; dirs: readonly string[] }> = {
  docker: { files: [], dirs: [] },
  podman: {
    files: ['etc/hostname', 'etc/hosts', 'etc/resolv.conf', 'etc/mtab', 'run/.containerenv'],
    dirs: ['dev', 'etc', 'proc', 'run', 'sys'],
  },
};

export interface EngineResidue {
  /** Layer paths of the engine's files: always left out. */
  files: Set<string>;
  /** Directories it may have made: left out only when the image lacks them and nothing else is inside. */
  dirs: string[];
}

/** Of the new layer's entries, those `product` writes into every container (see WRITTEN_BY). */
export function engineResidue(product: EngineProduct, entries: readonly TarEntryInfo[]): EngineResidue {
  const { files, dirs } = WRITTEN_BY[product];
  return {
    files: new Set(entries.filter((e) => e.type !== 'Directory' && files.includes(e.path)).map((e) => e.path)),
    dirs: entries.filter((e) => e.type === 'Directory' && dirs.includes(e.path)).map((e) => e.path),
  };
}
