import type { Command } from 'commander';
import { interruptible, openEngine } from '../engine-session.js';
import type { Output } from '../../ui/output.js';

export function registerBootstrap(program: Command, output: Output): void {
  program
    .command('bootstrap')
    .description('make a build base image available without a registry (debian:<suite>: debootstrap + docker import)')
    .argument('<image>', 'e.g. debian:bookworm')
    .action(async (ref: string) => {
      const { bootstrapBaseImage } = await import('../../bootstrap/bootstrap-base.js');
      const docker = await openEngine();
      const source = await interruptible((signal) =>
        bootstrapBaseImage(docker, ref, { onProgress: (m) => output.err(m), signal }),
      );
      output.out(`${ref}: ${source}`);
    });
}
