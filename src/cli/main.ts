import { Command, CommanderError } from 'commander';
import { ChildExit, DappdepsError, ManifestError } from '../errors.js';
import { registerBootstrap } from './commands/bootstrap.js';
import { registerBuild } from './commands/build.js';
import { registerDemo } from './commands/demo.js';
import { registerExtract } from './commands/extract.js';
import { registerPlan } from './commands/plan.js';
import { registerProvision } from './commands/provision.js';
import { registerRun } from './commands/run.js';
import { registerVolumes } from './commands/volumes.js';
import { registerRender } from './commands/render.js';
import { registerSchema } from './commands/schema.js';
import { registerValidate } from './commands/validate.js';
import { registerVerify } from './commands/verify.js';
import { processOutput, type Output } from './output.js';

/** Build the command tree; each command module registers itself. */
export function createProgram(output: Output): Command {
  const program = new Command('dappdeps')
    .description('build relocatable dependency images that run in any image, mounted with --volumes-from')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => output.out(s), writeErr: (s) => output.err(s) });
  for (const register of [
    registerProvision,
    registerValidate,
    registerRender,
    registerPlan,
    registerSchema,
    registerBuild,
    registerBootstrap,
    registerExtract,
    registerVolumes,
    registerRun,
    registerVerify,
    registerDemo,
  ])
    register(program, output);
  for (const command of program.commands) command.exitOverride().showHelpAfterError();
  return program;
}

/**
 * The one place errors become messages and exit codes: 0 ok, 1 failure, 2 usage or manifest error,
 * 130 interrupted.
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
    if (error instanceof ManifestError) {
      output.err(`invalid manifests (${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}):`);
      output.err(error.message);
      return error.exitCode;
    }
    if (error instanceof ChildExit) return error.exitCode;
    if (error instanceof DappdepsError) {
      output.err(`dappdeps: ${error.message}`);
      return error.exitCode;
    }
    output.err(
      `dappdeps: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return 1;
  }
}
