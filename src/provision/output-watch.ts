import { Writable } from 'node:stream';

/** What Ansible said that deserves a hint of ours once the run failed. */
export interface OutputWatch {
  /** Ansible's output stream, passed on unchanged. */
  stream: NodeJS.WritableStream;
  /** A hint for a failed run, from what was seen. */
  hint(): string | undefined;
}

/**
 * The apt module with the prefix's bindings does not refresh empty package lists (Docker Hub's Debian images
 * ship none); run natively, its install of python3-apt into the image does that first. Such an image fails
 * with "No package matching": say what to add.
 */
const NO_PACKAGE = /No package matching '[^']*' is available/;

export function watchOutput(out: NodeJS.WritableStream): OutputWatch {
  let tail = '';
  let noPackage = false;
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const text = tail + chunk.toString('utf8');
      if (NO_PACKAGE.test(text)) noPackage = true;
      tail = text.slice(-200);
      out.write(chunk, done);
    },
    final(done) {
      done();
    },
  });
  return {
    stream,
    hint: () =>
      noPackage
        ? "apt found no such package: if the image's package lists are empty (/var/lib/apt/lists, as in Docker Hub's Debian images), refresh them first: `update_cache: true` on the apt task, or a first task `apt: { update_cache: true }`"
        : undefined,
  };
}
