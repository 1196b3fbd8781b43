/* Tar archives of fixture folders, made by the tests (role tarballs are never committed). */
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { createGzip } from 'node:zlib';
import tarStream from 'tar-stream';

/** Adds `dir`'s tree to `pack` under `prefix` (a folder entry for each folder, files 0644), names sorted. */
export async function addTree(pack: tarStream.Pack, dir: string, prefix: string): Promise<void> {
  const add = async (rel: string): Promise<void> => {
    const abs = path.join(dir, rel);
    const name = rel === '' ? prefix : `${prefix}/${rel}`;
    if ((await stat(abs)).isDirectory()) {
      pack.entry({ name: `${name}/`, type: 'directory', mode: 0o755 });
      for (const entry of (await readdir(abs)).sort()) await add(rel === '' ? entry : `${rel}/${entry}`);
    } else pack.entry({ name, mode: 0o644 }, await readFile(abs));
  };
  await add('');
}

/** A role tarball as Galaxy serves them: one top folder named `name` holding meta/main.yml and the rest. */
export async function roleTarball(dir: string, name: string): Promise<Buffer> {
  const pack = tarStream.pack();
  await addTree(pack, dir, name);
  pack.finalize();
  return buffer(Readable.from(pack).pipe(createGzip()));
}
