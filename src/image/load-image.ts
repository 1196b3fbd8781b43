import type { Readable } from 'node:stream';
import type { DockerClient } from '../docker/docker-client.js';
import { DappdepsError } from '../errors.js';
import { type Image, imageId } from './image.js';
import { writeImage } from './write-image.js';

/** What loading an image needs of an engine: a narrow port, so the checks are tested without one. */
export interface ImageLoader {
  /** The image's id and layers, or undefined when the engine has no such image. */
  inspect(ref: string): Promise<{ id: string; diffIds: string[] } | undefined>;
  /** Loads a docker-archive; resolves with the ids the engine reports loading (possibly none). */
  load(archive: Readable, signal?: AbortSignal): Promise<string[]>;
  tag(id: string, ref: string): Promise<void>;
  remove(id: string): Promise<void>;
}

/** The ImageLoader of a Docker (or Podman) client. */
export function engineLoader(docker: Pick<DockerClient, 'images'>): ImageLoader {
  return {
    inspect: (ref) => docker.images.inspect(ref),
    load: (archive, signal) => docker.images.load(archive, signal),
    tag: (id, ref) => docker.images.tag(id, ref),
    remove: (id) => docker.images.remove(id),
  };
}

export interface LoadOptions {
  tag?: string;
  what?: string;
  signal?: AbortSignal;
  /**
   * How many of the image's lowest layers the engine already holds (those of an image it has, in the same
   * order): they are left out of the archive where the engine takes that, which saves writing and reading them.
   */
  held?: number;
}

/**
 * Loads `image` into the engine and returns its id once the engine holds it with exactly its layers; only then is
 * it tagged `tag` (created or moved). The engine must report loading that id when it reports anything (Podman's
 * compatible API may report nothing). On any failure an image this load created is removed and nothing is tagged.
 */
export async function loadImage(engine: ImageLoader, image: Image, opts: LoadOptions = {}): Promise<string> {
  const id = imageId(image);
  const what = opts.what ?? 'the image';
  const existed = (await engine.inspect(id)) !== undefined;
  try {
    const loaded = await loadArchive(engine, image, opts);
    const held = await engine.inspect(id);
    if (!held || (loaded.length > 0 && !loaded.includes(id))) {
      throw new DappdepsError(`loading ${what} gave ${loaded.join(', ') || 'nothing'}, not ${id}`);
    }
    if (held.diffIds.join() !== image.layers.map((l) => l.diffId).join()) {
      throw new DappdepsError(`the loaded image ${id} (${what}) does not have the layers it was written with`);
    }
    if (opts.tag !== undefined) await engine.tag(id, opts.tag);
    return id;
  } catch (error) {
    if (!existed) await engine.remove(id).catch(() => undefined);
    throw error;
  }
}

/**
 * Loads the archive without the layers the engine holds, when there are any, else whole. An engine that refuses
 * the shorter archive (one that reads every layer file, or lacks one after all) gets the whole one: the result
 * and its checks are the same either way.
 */
async function loadArchive(engine: ImageLoader, image: Image, opts: LoadOptions): Promise<string[]> {
  const held = Math.min(opts.held ?? 0, image.layers.length);
  if (held > 0) {
    try {
      return await engine.load(writeImage(image, held), opts.signal);
    } catch (error) {
      if (opts.signal?.aborted) throw error;
    }
  }
  return engine.load(writeImage(image), opts.signal);
}
