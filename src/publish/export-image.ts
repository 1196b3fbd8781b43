import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { DockerClient } from '../docker/docker-client.js';
import { DappdepsError } from '../errors.js';
import { writeAtomically } from './atomic-output.js';
import { writeExt4Image } from './ext4/ext4-image.js';
import { writeOciLayout } from './oci-layout.js';

export type ExportFormat = 'oci' | 'docker' | 'ext4';

export interface ExportRequest {
  /** An image the engine has: a tag or an id. */
  ref: string;
  format: ExportFormat;
  out: string;
  /** ext4 only: free space beyond the content, in bytes. */
  free: number;
}

export interface ExportResult {
  /** Bytes written: the archive, the layout folder's files, or the filesystem image. */
  bytes: number;
  /** What else is worth saying: the OCI manifest digest, the ext4 image's free space. */
  detail: string;
}

/**
 * Writes the image in one format, streamed from `docker save` (never held in memory), under a temporary name
 * renamed into place at the end: on failure `out` is untouched and nothing is left beside it.
 */
export async function exportImage(docker: DockerClient, req: ExportRequest): Promise<ExportResult> {
  if (!(await docker.images.inspect(req.ref)))
    throw new DappdepsError(`image ${req.ref} does not exist`, {
      hint: 'name a distro image (build or pull it first) or an image the engine has (`docker images`)',
    });
  const save = () => docker.images.save(req.ref);
  switch (req.format) {
    case 'docker':
      return writeAtomically(req.out, 'file', async (temporary) => {
        await pipeline(await save(), createWriteStream(temporary, { flags: 'wx' }));
        return { bytes: (await fs.stat(temporary)).size, detail: '`docker load -i` archive' };
      });
    case 'oci':
      return writeAtomically(req.out, 'folder', async (temporary) => {
        const manifest = await writeOciLayout(await save(), temporary, referenceName(req.ref));
        return { bytes: await folderBytes(temporary), detail: `manifest ${manifest.digest}` };
      });
    case 'ext4':
      return writeAtomically(req.out, 'file', async (temporary) => {
        const result = await writeExt4Image(save, temporary, { free: req.free });
        return {
          bytes: result.bytes,
          detail: `${result.inodes} inodes, ${(result.freeBytes / 1e6).toFixed(1)} MB free, ${result.fixups} inode fields set with debugfs`,
        };
      });
  }
}

/** The tag part of a reference, as OCI layouts name their images (`org.opencontainers.image.ref.name`). */
function referenceName(ref: string): string {
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? ref.slice(colon + 1) : 'latest';
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true }))
    if (entry.isFile()) total += (await fs.stat(`${entry.parentPath}/${entry.name}`)).size;
  return total;
}
