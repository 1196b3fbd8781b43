import { Command, CommanderError } from 'commander';
import createDebug from 'debug';
import { ChildExit, DappdepsError, ManifestError, type ManifestProblem } from '../errors.js';
import { packageVersion } from '../package-root.js';
import { processOutput, type Output } from '../ui/output.js';
import { registerBootstrap } from './commands/bootstrap.js';
import { registerBuild } from './commands/build.js';
import { registerDemo } from './commands/demo.js';
import { registerExport } from './commands/export.js';
import { registerExtract } from './commands/extract.js';
import { registerLoad } from './commands/load.js';
import { registerLock } from './commands/lock.js';
import { registerMounts } from './commands/mounts.js';
import { registerPlan } from './commands/plan.js';
import { registerPull } from './commands/pull.js';
import { registerPush } from './commands/push.js';
import { registerProvision } from './commands/provision.js';
import { registerRender } from './commands/render.js';
import { registerRun } from './commands/run.js';
import { registerSave } from './commands/save.js';
import { registerSbom } from './commands/sbom.js';
import { registerSchema } from './commands/schema.js';
import { registerValidate } from './commands/validate.js';
import { registerVerify } from './commands/verify.js';
import { registerVolumes } from './commands/volumes.js';

const debug = createDebug('dappdeps:cli');

/**
 * Build the command tree; each command module registers itself. Commands import what they run only in
 * their action, so `--help` or `validate` never load Docker, the archive reader or the renderer.
 */
export function createProgram(output: Output): Command {
  const program = new Command('dappdeps')
    .description('build relocatable dependency images that run in any image, mounted with --volumes-from')
    .version(packageVersion(), '-V, --version', 'print the version of dappdeps')
    .showHelpAfterError('see `dappdeps --help`')
    .exitOverride()
    .configureOutput({ writeOut: (s) => output.out(s), writeErr: (s) => output.err(s) });
  for (const register of [
    registerProvision,
    registerValidate,
    registerRender,
    registerPlan,
    registerSchema,
    registerBuild,
    registerLock,
    registerSbom,
    registerBootstrap,
    registerExtract,
    registerVolumes,
    registerRun,
    registerMounts,
    registerVerify,
    registerDemo,
    registerPush,
    registerPull,
    registerSave,
    registerLoad,
    registerExport,
  ])
    register(program, output);
  // A usage error prints the error, commander's "Did you mean", and where the help is: not the whole help,
  // which would scroll the error off a terminal.
  for (const command of program.commands)
    command.exitOverride().showHelpAfterError(`see \`dappdeps ${command.name()} --help\``);
  return program;
}

/**
 * The one place errors become messages and exit codes: 0 ok, 1 failure, 2 usage or manifest error,
 * 130 interrupted. With `--json`, the error is also one JSON object on stdout.
 */
export async function main(argv: readonly string[], output: Output = processOutput): Promise<number> {
  try {
    await createProgram(output).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version arrive as "errors" with exit code 0; everything else commander rejects is usage.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof ChildExit) return error.exitCode;
    if (argv.includes('--json')) output.out(JSON.stringify({ event: 'error', ...describeError(error) }));
    if (error instanceof ManifestError) {
      output.err(`${problemCount(error.problems)}:`);
      output.err(error.message);
      return error.exitCode;
    }
    if (error instanceof DappdepsError) {
      output.err(`dappdeps: ${error.message}`);
      if (error.hint) output.err(`  hint: ${error.hint}`);
      return error.exitCode;
    }
    unexpected(error, output);
    return 1;
  }
}

/** An error as `--json` prints it; manifest problems as objects (file, line, column, field, message). */
export function describeError(error: unknown): {
  error: string;
  kind: string;
  hint?: string;
  problems?: readonly ManifestProblem[];
} {
  if (!(error instanceof Error)) return { error: String(error), kind: 'unexpected' };
  const hint = error instanceof DappdepsError ? error.hint : undefined;
  if (error instanceof ManifestError)
    return { error: problemCount(error.problems), kind: error.name, problems: error.problems };
  return {
    error: error.message,
    kind: error instanceof DappdepsError ? error.name : 'unexpected',
    ...(hint ? { hint } : {}),
  };
}

const problemCount = (problems: readonly unknown[]) =>
  `invalid manifests (${problems.length} problem${problems.length === 1 ? '' : 's'})`;

/** A bug or a failure of our own making: one line for the user, the stack only with DEBUG=dappdeps:*. */
function unexpected(error: unknown, output: Output): void {
  output.err(`dappdeps: unexpected error: ${error instanceof Error ? error.message : String(error)}`);
  if (debug.enabled && error instanceof Error && error.stack) output.err(error.stack);
  else output.err('  hint: run again with DEBUG=dappdeps:* for the stack trace');
}

/**
 * The executable's entry: runs `main`, and turns anything that escapes it (an unhandled rejection, an
 * exception thrown from a callback) into exit 1 with one line, never a stack trace by default.
 */
export async function runExecutable(argv: readonly string[], output: Output = processOutput): Promise<void> {
  const lastResort = (error: unknown) => {
    unexpected(error, output);
    process.exit(1);
  };
  process.on('uncaughtException', lastResort);
  process.on('unhandledRejection', lastResort);
  process.exitCode = await main(argv, output);
}
