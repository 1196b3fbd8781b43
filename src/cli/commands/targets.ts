import type { Command } from 'commander';
import { archOption, distroForArchOption, type ArchOptions } from '../arch-option.js';
import { addDistroOption, openDistro, type DistroOptions } from '../distro-option.js';
import { interruptible, openEngine } from '../engine-session.js';
import type { Output } from '../../ui/output.js';

type TargetsOptions = DistroOptions & ArchOptions;

export function registerTargets(program: Command, output: Output): void {
  addDistroOption(program.command('targets'))
    .description(
      "make the smoke matrix' target images when the engine lacks them (the images `verify` runs in, and the README's first provision starts from)",
    )
    .argument(
      '[names...]',
      'quick (the default: busybox, empty, base), all, or any of busybox, empty, base, bullseye, trixie, sid, musl, read-only, non-root',
    )
    .addOption(archOption())
    .action(async (names: string[], options: TargetsOptions) => {
      const { parseTargetSelection } = await import('../../verify/target-names.js');
      const { ensureSmokeTargets } = await import('../../verify/smoke-targets.js');
      const chosen = parseTargetSelection(names.length > 0 ? names.join(',') : 'quick');
      const distro = await distroForArchOption(await openDistro(options, output), { ...options, strategy: 'binary' });
      const docker = await openEngine();
      const targets = await interruptible((signal) =>
        ensureSmokeTargets(docker, distro, signal, (m) => output.err(m), chosen),
      );
      for (const t of targets) {
        const how = t.run.readOnly ? ` (run --read-only, tmpfs ${Object.keys(t.run.tmpfs ?? {}).join(', ')})` : '';
        output.out(`${t.name}: ${t.image}${how}`);
      }
    });
}
