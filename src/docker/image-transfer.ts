import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { DappdepsError } from '../errors.js';
import { dial, readable } from './docker-call.js';
import { dockerLog } from './log.js';
import { readProgressStream } from './read-progress-stream.js';

const log = dockerLog('images');

/** Reads a pull/import progress stream: lines go to the debug log, failures name the operation. */
export async function followProgress(what: string, stream: Readable): Promise<void> {
  await readProgressStream(stream, {
    onLine: ({ text }) => log('%s: %s', what, text),
    fail: (reason, _tail, cause) => new DappdepsError(`${what} failed: ${reason}`, { cause }),
  });
}

/** Pushes `ref` and resolves with the manifest digest the registry reported. */
export async function pushImage(docker: Docker, ref: string): Promise<string> {
  // The engine wants an X-Registry-Auth header even for a registry without authentication.
  const stream = readable(await docker.getImage(ref).push({ authconfig: {} }), `push ${ref}`);
  let digest: string | undefined;
  await readProgressStream(stream, {
    onLine: ({ text }) => {
      log('push %s: %s', ref, text);
      digest = /digest: (sha256:[0-9a-f]{64})/.exec(text)?.[1] ?? digest;
    },
    fail: (reason, _tail, cause) => new DappdepsError(`push of ${ref} failed: ${reason}`, { cause }),
  });
  if (digest === undefined) throw new DappdepsError(`push of ${ref} ended without a digest from the registry`);
  return digest;
}

/** GET /images/get?names=a&names=b: one archive of several images (dockerode's types lack the call). */
export async function saveImages(docker: Docker, refs: readonly string[]): Promise<Readable> {
  const what = `save ${refs.join(' ')}`;
  const answer = await dial(docker, {
    path: '/images/get?',
    method: 'GET',
    options: { names: [...refs] },
    isStream: true,
    statusCodes: { 200: true, 400: 'bad parameter', 500: 'server error' },
  });
  return readable(answer, what);
}

/** `docker load`; resolves with the ids the engine reports loading. */
export async function loadArchive(docker: Docker, archive: Readable, signal?: AbortSignal): Promise<string[]> {
  const loaded: string[] = [];
  const stream = readable(await docker.loadImage(archive, { quiet: true, abortSignal: signal }), 'load');
  await readProgressStream(stream, {
    onLine: ({ text }) => {
      log('load: %s', text);
      const id = /^Loaded image ID: (\S+)/.exec(text)?.[1];
      if (id) loaded.push(id);
    },
    fail: (reason, _tail, cause) => new DappdepsError(`loading the image archive failed: ${reason}`, { cause }),
    signal,
  });
  return loaded;
}
