import { Readable } from 'node:stream';
import tarFs from 'tar-fs';
import tarStream from 'tar-stream';
import { fileMode, type RenderedFiles } from '../render/rendered-files.js';

export interface InjectedTree {
  /** Folder in the context, e.g. `deps/toolchain`. */
  at: string;
  /** Local folder whose content goes there (an extracted dependency root). */
  dir: string;
}

/**
 * The build context as one tar stream: the rendered files from memory, then each injected tree packed
 * from disk as it is read, so a large dependency never sits in memory.
 */
export function contextTar(files: RenderedFiles, trees: readonly InjectedTree[]): Readable {
  const pack = tarStream.pack();
  const mtime = new Date(0); // rendered files are content, not history: keep the tar reproducible
  const addTrees = (index: number): void => {
    const tree = trees[index];
    if (!tree) {
      pack.finalize();
      return;
    }
    tarFs.pack(tree.dir, {
      pack,
      finalize: false,
      map: (header) => ({ ...header, name: `${tree.at}/${header.name}` }),
      finish: () => addTrees(index + 1),
    });
  };
  void (async () => {
    for (const [name, content] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
      const body = Buffer.from(content);
      await new Promise<void>((resolve, reject) =>
        pack.entry({ name, mode: fileMode(body), mtime, size: body.length }, body, (e) => (e ? reject(e) : resolve())),
      );
    }
    addTrees(0);
  })().catch((error: unknown) => pack.destroy(error as Error));
  // tar-stream's pack is a streamx stream; dockerode and pipeline() want a Node stream.
  return Readable.from(pack);
}
