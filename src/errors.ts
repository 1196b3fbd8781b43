export interface DappdepsErrorOptions {
  cause?: unknown;
  exitCode?: number;
  /** What the user can do about it, shown by the CLI under the message (and in `--json` output). */
  hint?: string;
}

/**
 * One error hierarchy for the whole tool. Library code throws these; the CLI entry point is the only
 * place that turns them into messages and exit codes.
 */
export class DappdepsError extends Error {
  /** Process exit code the CLI uses for this error. */
  readonly exitCode: number;
  readonly hint: string | undefined;

  constructor(message: string, options: DappdepsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode ?? 1;
    this.hint = options.hint;
  }
}

/** Bad command-line usage (exit 2). */
export class UsageError extends DappdepsError {
  constructor(message: string) {
    super(message, { exitCode: 2 });
  }
}

/** One problem found in a manifest, located in its file. */
export interface ManifestProblem {
  file: string;
  line: number;
  column: number;
  /** Dotted field path, e.g. `source.software[2].md5`; empty for the whole document. */
  field: string;
  message: string;
}

export function formatProblem(p: ManifestProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.field ? `${p.field}: ` : ''}${p.message}`;
}

/** Manifests that failed validation; lists every problem at once (exit 2). */
export class ManifestError extends DappdepsError {
  readonly problems: readonly ManifestProblem[];

  constructor(problems: readonly ManifestProblem[]) {
    super(problems.map(formatProblem).join('\n'), { exitCode: 2 });
    this.problems = problems;
  }
}

/** No Docker engine could be reached or started. */
export class EngineError extends DappdepsError {}

/** Images a command needs have not been built (for the strategy asked for). */
export class NotBuiltError extends DappdepsError {
  readonly tags: readonly string[];

  constructor(missing: readonly { name: string; tag: string }[], strategy: 'binary' | 'source') {
    const option = strategy === 'binary' ? '' : ` --strategy ${strategy}`;
    super(`not built: ${missing.map((m) => m.tag).join(', ')}`, {
      hint: `run \`dappdeps build${option} ${missing.map((m) => m.name).join(' ')}\` first`,
    });
    this.tags = missing.map((m) => m.tag);
  }
}

/** A file that claims to be ELF but cannot be read as one (truncated, corrupt, changed while read). */
export class ElfFormatError extends DappdepsError {}

/** A build base image could not be made: debootstrap, the import of its root, or what they need. */
export class BootstrapError extends DappdepsError {}

/** The machine cannot run programs of the architecture asked for (no emulation registered). */
export class EmulationError extends DappdepsError {}

/** A docker build failed; carries the tail of its log. */
export class BuildError extends DappdepsError {
  readonly image: string;
  readonly logTail: readonly string[];
  readonly logFile: string | undefined;

  constructor(image: string, reason: string, logTail: readonly string[], logFile?: string, cause?: unknown) {
    super(`build of ${image} failed: ${reason}${logFile ? `\n  full log: ${logFile}` : ''}`, { cause });
    this.image = image;
    this.logTail = logTail;
    this.logFile = logFile;
  }
}

/** An archive entry that would be unsafe to write (traversal, escaping link, device node, bad marker). */
export class UnsafeArchiveError extends DappdepsError {
  readonly entry: string;

  constructor(entry: string, reason: string) {
    super(`refusing archive entry ${JSON.stringify(entry)}: ${reason}`);
    this.entry = entry;
  }
}

/** The audit found files that would resolve outside dappdeps prefixes, or a smoke command failed. */
export class AuditError extends DappdepsError {
  readonly violations: readonly string[];

  constructor(image: string, violations: readonly string[]) {
    super(
      `audit of ${image} failed (${violations.length} problem${violations.length === 1 ? '' : 's'}):\n  ${violations.join('\n  ')}`,
    );
    this.violations = violations;
  }
}

/** The user interrupted the run (SIGINT/SIGTERM): exit 130. */
export class InterruptedError extends DappdepsError {
  constructor(signal: string) {
    super(`interrupted by ${signal}`, { exitCode: 130 });
  }
}

/** A command run for the user exited non-zero: dappdeps exits with the same code, saying nothing more. */
export class ChildExit extends DappdepsError {
  constructor(code: number) {
    super(`command exited with ${code}`, { exitCode: code });
  }
}

/** A command that printed its own report of what failed (e.g. `doctor`): exit with the code, saying nothing more. */
export class ReportedFailure extends DappdepsError {
  constructor(what: string, exitCode = 1) {
    super(what, { exitCode });
  }
}

/** The package lock is missing, malformed, stale or no longer installable; the hint says to lock again. */
export class LockError extends DappdepsError {
  constructor(
    message: string,
    hint = 'run `dappdeps lock` to resolve the packages again (and commit distro/distro.lock)',
  ) {
    super(message, { hint });
  }
}
