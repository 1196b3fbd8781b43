import type { Readable } from 'node:stream';
import { BuildStreamParser, type StreamFailure } from './build-stream-parser.js';
import type { BuildLine } from './types.js';

export interface ReadProgressOptions {
  onLine: (line: BuildLine) => void;
  fail: StreamFailure;
  /** Reject when nothing arrives for this long (ms); no limit when undefined. */
  idleTimeoutMs?: number;
  signal?: AbortSignal;
  /** Reject a stream that ends without reporting an image id (a build always reports one). */
  requireId?: boolean;
}

/**
 * Reads an engine progress stream to its end and resolves with the image id it reported. Rejects on an error
 * line, a malformed line, a stream error or premature close, silence longer than `idleTimeoutMs`, an abort,
 * or (with `requireId`) a missing id. On rejection the stream is destroyed, which closes the HTTP request:
 * the engine then stops the build.
 */
export function readProgressStream(
  stream: Readable,
  options: ReadProgressOptions & { requireId: true },
): Promise<string>;
export function readProgressStream(stream: Readable, options: ReadProgressOptions): Promise<string | undefined>;
export function readProgressStream(stream: Readable, options: ReadProgressOptions): Promise<string | undefined> {
  const { idleTimeoutMs, signal } = options;
  const parser = new BuildStreamParser(options.onLine, options.fail);

  return new Promise((resolve, reject) => {
    let idleTimer: NodeJS.Timeout | undefined;
    let settled = false;

    const settle = (outcome: { error: unknown } | { id: string | undefined }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(idleTimer);
      stream.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      signal?.removeEventListener('abort', onAbort);
      if ('error' in outcome) {
        stream.destroy();
        reject(outcome.error);
      } else {
        resolve(outcome.id);
      }
    };
    const guarded = (step: () => void): void => {
      try {
        step();
      } catch (error) {
        settle({ error });
      }
    };
    const armIdleTimer = (): void => {
      if (idleTimeoutMs === undefined) return;
      clearTimeout(idleTimer);
      idleTimer = setTimeout(
        () => settle({ error: parser.fail(`no output from the engine for ${idleTimeoutMs} ms`) }),
        idleTimeoutMs,
      );
    };
    const onData = (chunk: Buffer | string): void => {
      armIdleTimer();
      guarded(() => parser.feed(chunk));
    };
    const onEnd = (): void =>
      guarded(() => {
        const id = parser.end();
        if (options.requireId && id === undefined)
          throw parser.fail('the engine ended the stream without reporting an image id');
        settle({ id });
      });
    // A dropped connection (engine restart, socket cut): the next run resumes, so say so.
    const onError = (error: Error): void =>
      settle({ error: parser.fail(`the engine's stream failed: ${error.message} (run again to resume)`, error) });
    const onClose = (): void =>
      settle({ error: parser.fail('the engine closed the stream before its end (run again to resume)') });
    const onAbort = (): void => settle({ error: parser.fail('aborted', signal?.reason) });

    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    stream.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
    armIdleTimer();
  });
}
