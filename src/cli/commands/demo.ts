import type { Command } from 'commander';
import { DappdepsError } from '../../errors.js';
import { addDistroOption, openDistro, type DistroOptions } from '../distro-option.js';
import { interruptible, openEngine } from '../engine-session.js';
import type { Output } from '../../ui/output.js';

export function registerDemo(program: Command, output: Output): void {
  addDistroOption(program.command('demo'))
    .description(
      'run Ansible (file, command, git modules) in an image with no libc, commit it, show only empty mount points remain',
    )
    .action(async (options: DistroOptions) => {
      const { runAnsibleDemo } = await import('../../demo/ansible-demo.js');
      const distro = await openDistro(options, output);
      const docker = await openEngine();
      const result = await interruptible((signal) => runAnsibleDemo(docker, distro, signal, process.stderr));
      output.out(
        `demo: ansible-playbook ran in ${result.target} (scratch + static busybox: no libc, no Python, no git)`,
      );
      output.out(`demo: the git module checked out: ${result.checkedOut.trim()}`);
      output.out(
        `demo: committed the container as ${result.committed}; under /.dapp it keeps ${result.filesUnderDapp.length} files and only these empty mount points:`,
      );
      for (const p of result.mountPoints) output.out(`  ${p}`);
      if (result.filesUnderDapp.length > 0 || result.mountPoints.length === 0) {
        throw new DappdepsError(`the committed image keeps files under /.dapp: ${result.filesUnderDapp.join(', ')}`);
      }
    });
}
