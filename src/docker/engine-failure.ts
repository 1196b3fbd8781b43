import { DappdepsError, EngineError } from '../errors.js';

/** Fields dockerode and Node put on a failed call: `statusCode`/`json` for HTTP answers, `code`/`syscall` for sockets. */
interface RawFailure {
  statusCode?: number;
  reason?: string;
  json?: { message?: unknown } | null;
  code?: string;
  syscall?: string;
  message?: string;
}

function raw(error: unknown): RawFailure {
  return typeof error === 'object' && error !== null ? (error as RawFailure) : {};
}

/** The HTTP status of an engine answer, or undefined when the call did not get one. */
export function statusOf(error: unknown): number | undefined {
  return raw(error).statusCode;
}

/** The engine's own message ("No such image: …") rather than dockerode's "(HTTP code 404) …" wrapper. */
export function engineMessage(error: unknown): string {
  const { json, message, statusCode, reason } = raw(error);
  if (typeof json?.message === 'string') return json.message;
  if (message === undefined) return String(error);
  // Streamed calls carry the engine's message only inside docker-modem's "(HTTP code N) <reason> - <message> ".
  const prefix = `(HTTP code ${statusCode}) ${reason ?? 'unexpected'} - `;
  return (message.startsWith(prefix) ? message.slice(prefix.length) : message).trim();
}

/**
 * A name already taken: 409, 400 "Conflict." on older engines, and Podman's 500 "that name is already in use"
 * (its status says nothing, so the message decides).
 */
export function isConflict(error: unknown): boolean {
  const status = statusOf(error);
  if (status === 409) return true;
  const message = engineMessage(error);
  return (status === 400 && /conflict/i.test(message)) || (status === 500 && /name is already in use/i.test(message));
}

/** Another client is already removing this container: for us, as good as removed. */
export function isRemovalInProgress(error: unknown): boolean {
  return statusOf(error) === 409 && /already in progress/i.test(engineMessage(error));
}

/** The engine could not be reached at all (no socket, refused, unknown host). */
export function isConnectionFailure(error: unknown): boolean {
  const { syscall } = raw(error);
  return syscall === 'connect' || syscall === 'getaddrinfo';
}

/**
 * What a failed call means to a user of dappdeps: errors of ours pass unchanged, a refused connection becomes
 * an EngineError saying how to get an engine, and any other engine failure a DappdepsError naming the call.
 */
export function translateFailure(error: unknown, what: string, address: string): DappdepsError {
  if (error instanceof DappdepsError) return error;
  if (isConnectionFailure(error)) {
    const { code, syscall } = raw(error);
    const hint =
      code === 'EACCES'
        ? 'permission denied; run as root or join the docker group'
        : 'run `dappdeps doctor --fix` as root (starts an engine), or set DOCKER_HOST to one that answers';
    return new EngineError(`no Docker engine answers at ${address} (${code ?? syscall})`, { cause: error, hint });
  }
  const dropped = statusOf(error) === undefined && isDroppedConnection(error);
  return new DappdepsError(`docker: ${what} failed: ${engineMessage(error)}`, {
    cause: error,
    ...(dropped
      ? { hint: 'the connection to the engine broke (an engine restart or a dropped socket): run again' }
      : {}),
  });
}

/** A connection that was open and broke: what Node reports for a response cut short or a reset socket. */
function isDroppedConnection(error: unknown): boolean {
  const { code } = raw(error);
  const message = error instanceof Error ? error.message : '';
  return code === 'ECONNRESET' || code === 'EPIPE' || /^(aborted|socket hang up|premature close)$/i.test(message);
}
