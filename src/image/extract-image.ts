import fs from 'node:fs/promises';
import path from 'node:path';
import { DappdepsError } from '../errors.js';
import { insideRoot } from '../archive/tar/entry-path.js';
import { lstatOrUndefined } from '../archive/extract/fs-checks.js';
import { keepPrefix } from '../archive/extract/keep-prefix.js';
import type { Keep, ModePolicy } from '../archive/extract/layer-policy.js';
import { LayerStack, type StackStats } from '../archive/extract/layer-stack.js';
import { type StagedLayer, extractLayer } from '../archive/extract/extract-layer.js';
import type { LayerSink } from './read-save.js';
import { readImage } from './read-image.js';

export interface ExtractOptions {
  /** Directory to write the image's root into; must be missing or empty. */
  target: string;
  /** Absolute path inside the image: keep only what is under it (and the directories leading to it). */
  only?: string;
  /**
   * Called with each absolute path outside `only` that the final image holds (whiteouts applied; the
   * directories leading to `only` are not outside), after the layers are merged and before the result is
   * moved into place. Entries outside `only` are never written, so device nodes there are reported, not refused.
   */
  onOutside?: (path: string) => void;
  /**
   * Normal-form paths (relative to the root, e.g. `dev/null`) never to write, from any layer: entries the caller
   * puts in place its own way, like device nodes, which extraction refuses.
   */
  leaveOut?: ReadonlySet<string>;
  /** The image, as errors name it (e.g. its tag); default "the image". */
  image?: string;
  /** Mode bits above 0o777 to keep (default `exact`: the image's modes, setuid included); see ModePolicy. */
  modes?: ModePolicy;
}

export interface ExtractStats extends StackStats {
  format: 'legacy' | 'oci';
}

/**
 * Extracts the image in a `docker save` stream into `opts.target`, streaming: each layer is extracted as it
 * arrives into a staging directory beside the target; then the members the manifest references are checked
 * against their digests (see checkIntegrity), the layers merged in manifest order, whiteouts applied, and the
 * result renamed into place. Members nothing references are never used, and cannot fail the image. On any failure nothing is left behind and the promise rejects
 * with a DappdepsError (UnsafeArchiveError for entries that would be unsafe to write).
 */
export async function extractImage(save: NodeJS.ReadableStream, opts: ExtractOptions): Promise<ExtractStats> {
  const target = path.resolve(opts.target);
  const { prefix, keep: keepOnly } = keepPrefix(opts.only);
  const { leaveOut } = opts;
  const keep: Keep = leaveOut ? (rel, isDir) => !leaveOut.has(rel) && keepOnly(rel, isDir) : keepOnly;
  await requireEmptyOrMissing(target);
  const createdParent = await fs.mkdir(path.dirname(target), { recursive: true });
  // Beside the target, so merging and the final move are renames on one filesystem. A real path: tar-fs
  // compares realpath'd hardlink targets with it, and isRealDirectory relies on it.
  const staging = await fs.realpath(
    await fs.mkdtemp(path.join(path.dirname(target), `.${path.basename(target)}.dappdeps-`)),
  );
  try {
    const image = await readImage(save, stagingSink(staging, keep, opts.modes ?? 'exact'), opts.image);
    const layers = image.layers.map((layer) => layer.value);
    const rootfs = path.join(staging, 'rootfs');
    await fs.mkdir(rootfs, { mode: 0o755 });
    const stack = new LayerStack(rootfs);
    for (const [i, layer] of layers.entries()) await stack.apply(layer, layers.lastIndexOf(layer) === i);
    if (prefix !== '' && !lstatOrUndefined(insideRoot(rootfs, prefix))) {
      throw new DappdepsError(`the image has nothing under /${prefix}`);
    }
    for (const outside of stack.outsidePaths()) opts.onOutside?.(outside);
    stack.finish();
    await fs.rename(rootfs, target);
    return { ...stack.stats, format: image.format };
  } catch (err) {
    if (createdParent !== undefined) await fs.rm(createdParent, { recursive: true, force: true });
    throw err instanceof DappdepsError ? err : extractionFailure(err, opts.image ?? 'the image', target);
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

/** Each layer extracted into its own directory under `staging` (not by name: a name may come twice). */
function stagingSink(staging: string, keep: Keep, modes: ModePolicy): LayerSink<StagedLayer> {
  return {
    take: async (tar, { index }) => {
      const dir = path.join(staging, `layer-${index}`);
      await fs.mkdir(dir);
      try {
        return await extractLayer(tar, dir, keep, modes);
      } catch (err) {
        await fs.rm(dir, { recursive: true, force: true });
        throw err;
      }
    },
    discard: (layer) => fs.rm(layer.dir, { recursive: true, force: true }),
  };
}

/** A failed system call while writing (the stream's own failures are DappdepsErrors from readImage already). */
function extractionFailure(err: unknown, image: string, target: string): unknown {
  if (!(err instanceof Error && 'syscall' in err && 'path' in err)) return err;
  return new DappdepsError(`writing ${image} into ${target} failed: ${err.message}`, {
    cause: err,
    hint: 'nothing was left half-written: make room there (or choose another folder) and run again',
  });
}

async function requireEmptyOrMissing(target: string): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new DappdepsError(`cannot extract into ${target}`, { cause: err });
  }
  if (names.length > 0) throw new DappdepsError(`cannot extract into ${target}: it is not empty`);
}
