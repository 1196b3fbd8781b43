import type { Command } from 'commander';
import { addDistroOption, openDistro, type DistroOptions } from '../distro-option.js';
import { interruptible, openEngine } from '../engine-session.js';
import type { Output } from '../../ui/output.js';

interface LockOptions extends DistroOptions {
  check?: boolean;
  json?: boolean;
}

export function registerLock(program: Command, output: Output): void {
  addDistroOption(program.command('lock'))
    .description(
      "resolve every binary image's Debian packages to exact versions and .deb sha256s in distro/distro.lock; --check: is it still installable, what is newer",
    )
    .option(
      '--check',
      'do not write: report whether the lock is still installable and which packages have newer versions',
    )
    .option('--json', 'print the result as one JSON document')
    .action(async (options: LockOptions) => {
      const { readLock, writeLock, lockPath } = await import('../../lock/lock-file.js');
      const { ChildExit, LockError } = await import('../../errors.js');
      const distro = await openDistro(options, output);
      const docker = await openEngine();
      if (options.check) {
        const { checkLock } = await import('../../lock/check-lock.js');
        const lock = await readLock(distro.dir);
        if (!lock) throw new LockError(`${lockPath(distro.dir)} does not exist`);
        const check = await interruptible((signal) => checkLock(distro, lock, docker.containers, undefined, signal));
        if (options.json) output.out(JSON.stringify(check, null, 2));
        else {
          for (const s of check.stale)
            output.out(
              `stale: ${s.image} asks for ${[...s.added.map((a) => `+${a}`), ...s.removed.map((r) => `-${r}`)].join(' ')}`,
            );
          for (const p of check.packages.filter((x) => x.source !== 'mirror' && x.source !== 'base'))
            output.out(`${p.source}: ${p.name} ${p.locked}`);
          for (const u of check.updates) output.out(`update: ${u.name} ${u.locked} -> ${u.candidate}`);
          output.out(
            `${check.installable ? 'installable' : 'not installable'}: ${check.packages.length} packages, ${check.updates.length} with a newer version`,
          );
        }
        // The report is the output (one JSON document with --json): exit 1 without an error message after it.
        if (!check.installable) throw new ChildExit(1);
        return;
      }
      const { resolveLock } = await import('../../lock/resolve-lock.js');
      const { lockChanges } = await import('../../lock/lock-changes.js');
      const before = await readLock(distro.dir).catch(() => undefined);
      const lock = await interruptible((signal) => resolveLock(distro, docker.containers, before, signal));
      await writeLock(distro.dir, lock);
      const changes = lockChanges(before, lock);
      if (options.json) output.out(JSON.stringify({ file: lockPath(distro.dir), changes }, null, 2));
      else {
        for (const c of changes) output.out(`${c.name}: ${c.from ?? '(new)'} -> ${c.to ?? '(gone)'}`);
        output.out(
          `wrote ${lockPath(distro.dir)}: ${Object.keys(lock.packages).length} packages for ${Object.keys(lock.images).length} images, ${changes.length} changed`,
        );
      }
    });
}
