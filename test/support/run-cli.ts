import { main } from '../../src/cli/main.js';
import { captureOutput } from './capture-output.js';

export interface CliRun {
  code: number;
  stdout: string[];
  stderr: string[];
  /** Everything printed, stdout first: for assertion messages and searches. */
  text: string;
}

/** `dappdeps <command> --distro <distroDir> <args…>` in-process, output captured. */
export async function runCli(distroDir: string, command: string, ...args: string[]): Promise<CliRun> {
  const output = captureOutput();
  const code = await main([command, '--distro', distroDir, ...args], output);
  return { code, stdout: output.stdout, stderr: output.stderr, text: [...output.stdout, ...output.stderr].join('\n') };
}
