import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
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
  const saved = await readImage<string>(save, {
    take: async (tar, { index }) => {
      const file = path.join(dir, `layer-${index}.tar`);
      await pipeline(tar, createWriteStream(file, { flags: 'wx' }));
      return file;
    },
    discard: (file) => rm(file, { force: true }),
  });
  if (!saved.config) throw new DappdepsError('the saved image has no config');
  return {
    config: saved.config.value,
    configBytes: saved.config.bytes,
    layers: saved.layers.map((layer) => ({ file: layer.value, diffId: `sha256:${layer.diffId}` })),
  };
}
