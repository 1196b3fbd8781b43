import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { DigestTap } from '../archive/tar/digest-tap.js';
import { type TarDecision, filterTar } from '../archive/tar/filter-tar.js';
import { DappdepsError } from '../errors.js';
import { type Image, type LayerFile, imageOf } from './image.js';
import type { ImageConfig } from './image-config.js';

/*
 * Images in, images out, in the manner of go-containerregistry's `mutate`: nothing here talks to an engine,
 * and the image given is never changed. Configs keep the field order of the original, so a change to one
 * field changes only that field's bytes.
 */

/** The image with `config` instead of its own (its `rootfs.diff_ids` must still name its layers). */
export function withConfig(image: Image, config: ImageConfig): Image {
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.join() !== image.layers.map((l) => l.diffId).join()) {
    throw new DappdepsError(
      `the new config lists ${diffIds.length} layers that are not the image's ${image.layers.length}`,
    );
  }
  return imageOf(config, image.layers, image.configBytes);
}

/** The image with its config edited by `edit` (a pure function of the current config). */
export function editConfig(image: Image, edit: (config: ImageConfig) => ImageConfig): Image {
  return withConfig(image, edit(image.config));
}

/** The image with `layer` on top, the config's `rootfs.diff_ids` (and a history line, when given) following. */
export function appendLayer(image: Image, layer: LayerFile, history?: { created_by: string; created?: string }): Image {
  const config: ImageConfig = {
    ...image.config,
    rootfs: { type: 'layers', diff_ids: [...image.layers.map((l) => l.diffId), layer.diffId] },
    ...(history && { history: [...(image.config.history ?? []), history] }),
  };
  return imageOf(config, [...image.layers, layer], image.configBytes);
}

/** The image without its top layer (and that layer's line of history, when it has one). */
export function withoutTopLayer(image: Image): { image: Image; top: LayerFile } {
  const top = image.layers.at(-1);
  if (!top) throw new DappdepsError('the image has no layer to take off');
  const layers = image.layers.slice(0, -1);
  const history = [...(image.config.history ?? [])];
  const lastLayer = history.findLastIndex((h) => h.empty_layer !== true);
  if (lastLayer !== -1) history.splice(lastLayer, 1);
  const config: ImageConfig = {
    ...image.config,
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    ...(image.config.history && { history }),
  };
  return { image: imageOf(config, layers, image.configBytes), top };
}

/**
 * The layer holding the entries of `layer` that `keep` accepts, byte for byte (see filterTar), written to `out`.
 * The building block of rewriteTopLayer; exported for checks that only need the filtered layer.
 */
export async function filterLayer(layer: LayerFile, keep: TarDecision, out: string): Promise<LayerFile> {
  const digest = new DigestTap();
  await pipeline(createReadStream(layer.file), filterTar(keep), digest, createWriteStream(out, { flags: 'wx' }));
  return { file: out, diffId: `sha256:${digest.hex()}` };
}

/** The image with its top layer replaced by the entries `keep` accepts (written to `out`). */
export async function rewriteTopLayer(image: Image, keep: TarDecision, out: string): Promise<Image> {
  const { top } = withoutTopLayer(image);
  const layer = await filterLayer(top, keep, out);
  const diffIds = image.layers.slice(0, -1).map((l) => l.diffId);
  const config: ImageConfig = { ...image.config, rootfs: { type: 'layers', diff_ids: [...diffIds, layer.diffId] } };
  return imageOf(config, [...image.layers.slice(0, -1), layer], image.configBytes);
}
