import type Docker from 'dockerode';
import { buildFailure } from './build-stream-parser.js';
import { readable } from './docker-call.js';
import { engineMessage, isConnectionFailure } from './engine-failure.js';
import { readProgressStream } from './read-progress-stream.js';
import type { BuildRequest } from './types.js';

/** One `docker build` (see ImageClient.build), its progress read to the image id it reports. */
export async function buildImage(docker: Docker, req: BuildRequest, buildkit: boolean): Promise<{ id: string }> {
  const fail = buildFailure(req.image, req.logFile);
  let stream;
  try {
    stream = await docker.buildImage(req.context, {
      t: req.tag,
      labels: req.labels,
      networkmode: req.network ?? 'host',
      // dockerode opens the BuildKit session itself; the image store serves FROM and --mount=from.
      version: buildkit ? '2' : '1',
      rm: true,
      forcerm: true,
      nocache: req.nocache ?? false,
      ...(req.platform ? { platform: req.platform } : {}),
      abortSignal: req.signal,
    });
  } catch (error) {
    if (isConnectionFailure(error)) throw error; // becomes an EngineError: no build happened at all
    throw fail(req.signal?.aborted ? 'aborted' : engineMessage(error), [], error);
  }
  const id = await readProgressStream(readable(stream, `build ${req.tag}`), {
    onLine: req.onLine,
    fail,
    idleTimeoutMs: req.idleTimeoutMs,
    signal: req.signal,
    requireId: true,
  });
  return { id };
}
