import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { tee } from '../archive/tar/tee.js';
import { DappdepsError } from '../errors.js';
import { type ImageConfig, encodeImageConfig, imageIdOf } from './image-config.js';
import { readImage } from './read-image.js';

/** A layer as an uncompressed tar file on disk, with its digest (the diff id, `sha256:<hex>`). */
export interface LayerFile {
  file: string;
  diffId: string;
}

/**
 * An image as a value: its configuration (typed, and the bytes the id is taken from) and its layers as files,
 * lowest first. Functions of image-mutations.ts return new images; writeImage and loadImage hand them back
 * to an engine.
 */
export interface Image {
  config: ImageConfig;
  configBytes: Buffer;
  layers: LayerFile[];
}

/** The image's id: the sha256 of its config's bytes. */
export function imageId(image: Image): string {
  return imageIdOf(image.configBytes);
}

/** An image of `config` (encoded in the field order of `like`, when given) and `layers`. */
export function imageOf(config: ImageConfig, layers: LayerFile[], like?: Buffer): Image {
  return { config, configBytes: encodeImageConfig(config, like), layers };
}

/**
 * Reads the image of a `docker save` stream (any layout, every integrity check: see readImage) into `dir`: each
 * layer as an uncompressed tar file, written as it arrives so memory stays bounded whatever its size.
 */
export async function readImageToDisk(save: NodeJS.ReadableStream, dir: string): Promise<Image> {
  const read = await readLayersToDisk(save, dir, (tar, file) =>
    pipeline(tar, createWriteStream(file, { flags: 'wx' })),
  );
  return read.image;
}

/**
 * readImageToDisk, with `inspect` reading each layer's bytes as they are written (a second reader of the same
 * stream, e.g. listing its entries), so nothing is read back from disk for it: `seen` holds what it made of
 * each layer of the image, lowest first. A layer `inspect` rejects is unusable, as one the disk refused.
 */
export function readImageToDiskWith<X>(
  save: NodeJS.ReadableStream,
  dir: string,
  inspect: (tar: Readable) => Promise<X>,
): Promise<{ image: Image; seen: X[] }> {
  return readLayersToDisk(save, dir, async (tar, file) => {
    const [toFile, toInspect] = tee(tar);
    const inspecting = inspect(toInspect).catch((error: unknown) => {
      toInspect.destroy(); // let the file's reader go on: the layer is unusable either way
      throw error;
    });
    const [, seen] = await Promise.all([pipeline(toFile, createWriteStream(file, { flags: 'wx' })), inspecting]);
    return seen;
  });
}

/** The image of the save, each layer handed to `take` with the file it is to be written to. */
async function readLayersToDisk<X>(
  save: NodeJS.ReadableStream,
  dir: string,
  take: (tar: Readable, file: string) => Promise<X>,
): Promise<{ image: Image; seen: X[] }> {
  const saved = await readImage<{ file: string; seen: X }>(save, {
    take: async (tar, { index }) => {
      const file = path.join(dir, `layer-${index}.tar`);
      return { file, seen: await take(tar, file) };
    },
    discard: (layer) => rm(layer.file, { force: true }),
  });
  if (!saved.config) throw new DappdepsError('the saved image has no config');
  return {
    image: {
      config: saved.config.value,
      configBytes: saved.config.bytes,
      layers: saved.layers.map((layer) => ({ file: layer.value.file, diffId: `sha256:${layer.diffId}` })),
    },
    seen: saved.layers.map((layer) => layer.value.seen),
  };
}
