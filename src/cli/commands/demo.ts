import type { Command } from 'commander';
import { DappdepsError } from '../../errors.js';
import { addDistroOption, openDistro, type DistroOptions } from '../distro-option.js';
import { interruptible, openEngine } from '../engine-session.js';
import { lineStream } from '../line-stream.js';
import type { Output } from '../../ui/output.js';

const kb = (bytes: number): string => `${(bytes / 1000).toFixed(1)} kB`;

export function registerDemo(program: Command, output: Output): void {
  addDistroOption(program.command('demo'))
    .description(
      'provision the example website playbook into an image with no libc, no Python and no git, and prove nothing of dappdeps is left',
    )
    .action(async (options: DistroOptions) => {
      const { runAnsibleDemo } = await import('../../demo/ansible-demo.js');
      const distro = await openDistro(options, output);
      const docker = await openEngine();
      const ansibleOutput = lineStream((line) => output.err(line));
      const r = await interruptible((signal) =>
        runAnsibleDemo(docker, distro, signal, ansibleOutput, (text) => output.err(`provision: ${text}`)),
      ).finally(() => ansibleOutput.end());
      const p = r.provision;
      output.out(
        `demo: provisioned examples/website/site.yml into ${r.target} (scratch + static busybox: no libc, no Python, no git) as ${p.tag}`,
      );
      output.out(`demo: the home page says: ${r.title}`);
      output.out(
        `demo: under /.dapp the result holds ${r.underDapp.length} entries (its file system read back from docker save)`,
      );
      output.out(
        `demo: Cmd kept: ${JSON.stringify(r.cmd.result)} (${r.target}: ${JSON.stringify(r.cmd.target)}; docker commit alone would have set it to the ansible-playbook command)`,
      );
      output.out(
        `demo: size ${kb(p.size)} against ${kb(p.from.size)} for ${r.target}: +${kb(p.size - p.from.size)}, one layer of ${p.layer?.entries ?? 0} entries (${p.layer?.removed.length ?? 0} entries of the run removed from it)`,
      );
      output.out(
        `demo: serve it: docker run --rm --network host ${p.tag} /bin/busybox httpd -f -p 8080 -c /etc/httpd.conf`,
      );
      if (r.underDapp.length > 0) throw new DappdepsError(`the result holds ${r.underDapp.join(', ')}`);
      if (JSON.stringify(r.cmd.result) !== JSON.stringify(r.cmd.target)) {
        throw new DappdepsError(`the result's Cmd ${JSON.stringify(r.cmd.result)} is not ${r.target}'s`);
      }
    });
}
