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

/** The engine could not be reached at all (no socket, refused, unknown host, TLS or SSH refused). */
export function isConnectionFailure(error: unknown): boolean {
  const { syscall } = raw(error);
  return syscall === 'connect' || syscall === 'getaddrinfo' || isTlsFailure(error) || sshLevel(error) !== undefined;
}

/** Node's certificate and TLS alert failures: the engine answered, but the secure channel could not be set up. */
function isTlsFailure(error: unknown): boolean {
  const { code } = raw(error);
  return code !== undefined && (/^ERR_(SSL|TLS)_/.test(code) || /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/.test(code));
}

/** ssh2 marks its failures with a level: client-socket, client-authentication, client-timeout, protocol… */
function sshLevel(error: unknown): string | undefined {
  const level = typeof error === 'object' && error !== null && 'level' in error ? error.level : undefined;
  return typeof level === 'string' ? level : undefined;
}

/** What to do about an engine that cannot be reached, by how it was addressed. */
function unreachableHint(error: unknown, env: NodeJS.ProcessEnv): string {
  const { code } = raw(error);
  if (code === 'EACCES') return 'permission denied; run as root or join the docker group';
  if (!env.DOCKER_HOST) return 'run scripts/ensure-engine.sh as root, or set DOCKER_HOST to the engine to use';
  if (isTlsFailure(error))
    return "check DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH (ca.pem must have signed the engine's certificate, which must name the host)";
  const level = sshLevel(error);
  if (level === 'client-authentication')
    return "check DOCKER_HOST's user, and that your SSH key (agent or ~/.ssh) is authorized on the engine's host";
  if (level !== undefined && /verification failed/i.test(raw(error).message ?? ''))
    return "the engine host's SSH key is not in ~/.ssh/known_hosts (or differs): connect once with ssh to check and add it";
  return 'check DOCKER_HOST: is the engine running there, and reachable from here?';
}

/**
 * What a failed call means to a user of dappdeps: errors of ours pass unchanged, a refused connection becomes
 * an EngineError naming the address tried and what to check, and any other engine failure a DappdepsError
 * naming the call.
 */
export function translateFailure(
  error: unknown,
  what: string,
  address: string,
  env: NodeJS.ProcessEnv = process.env,
): DappdepsError {
  if (error instanceof DappdepsError) return error;
  if (isConnectionFailure(error)) {
    const { code, syscall, message } = raw(error);
    const why = code ?? syscall ?? message ?? 'no answer';
    const where = env.DOCKER_HOST ? `DOCKER_HOST=${address}` : address;
    return new EngineError(`no Docker engine answers at ${where} (${why})`, {
      cause: error,
      hint: unreachableHint(error, env),
    });
  }
  const hint = otherHint(error, env);
  return new DappdepsError(`docker: ${what} failed: ${engineMessage(error)}`, {
    cause: error,
    ...(hint ? { hint } : {}),
  });
}

/** Failures that are about how the engine is reached, though the engine (or something) answered. */
function otherHint(error: unknown, env: NodeJS.ProcessEnv): string | undefined {
  if (statusOf(error) === 400 && /HTTP request to an HTTPS server/i.test(engineMessage(error)))
    return 'the engine wants TLS: set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH to its client certificates';
  // Over SSH, a login that is not a docker CLI (a nologin shell, a banner) answers with something that is not HTTP.
  if (env.DOCKER_HOST?.startsWith('ssh://') && raw(error).code === 'HPE_INVALID_CONSTANT')
    return "the SSH login did not answer with the engine's API: the user must be able to run `docker system dial-stdio` there";
  if (statusOf(error) === undefined && isDroppedConnection(error))
    return 'the connection to the engine broke (an engine restart or a dropped socket): run again';
  return undefined;
}

/** A connection that was open and broke: what Node reports for a response cut short or a reset socket. */
function isDroppedConnection(error: unknown): boolean {
  const { code } = raw(error);
  const message = error instanceof Error ? error.message : '';
  return code === 'ECONNRESET' || code === 'EPIPE' || /^(aborted|socket hang up|premature close)$/i.test(message);
}
