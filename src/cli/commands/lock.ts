import type { Command } from 'commander';
import { archOption, distroForArchOption, type ArchOptions } from '../arch-option.js';
import { addDistroOption, type DistroOptions } from '../distro-option.js';
import { openSuites, suiteOption, type SuiteOptions } from '../suite-option.js';
import type { Distro } from '../../manifest/model.js';
import { interruptible, openEngine } from '../engine-session.js';
import type { Output } from '../../ui/output.js';

interface LockOptions extends DistroOptions, ArchOptions, SuiteOptions {
  check?: boolean;
  json?: boolean;
}

export function registerLock(program: Command, output: Output): void {
  addDistroOption(program.command('lock'))
    .description(
      "resolve every binary image's Debian packages to exact versions and .deb sha256s in distro/distro.lock (distro.<suite>.lock for another suite, distro.<arch>.lock with --arch); --check: is it still installable, what is newer",
    )
    .addOption(archOption())
    .addOption(suiteOption())
    .option(
      '--check',
      'do not write: report whether the lock is still installable and which packages have newer versions',
    )
    .option('--json', 'print the result as one JSON document')
    .action(async (options: LockOptions) => {
      // Each suite has its own lock, resolved in its own base image.
      for (const suite of await openSuites(options, output)) await lockSuite(suite, options, output);
    });
}

async function lockSuite(suite: Distro, options: LockOptions, output: Output): Promise<void> {
  const { writeLock } = await import('../../lock/lock-file.js');
  const { lockError, lockLocation, readDistroLock } = await import('../../lock/lock-location.js');
  const { ChildExit } = await import('../../errors.js');
  // Another architecture's packages are resolved in its own base image, run under emulation.
  const distro = await distroForArchOption(suite, { ...options, strategy: 'binary' });
  const where = lockLocation(distro);
  const docker = await openEngine();
  if (options.check) {
    const { checkLock } = await import('../../lock/check-lock.js');
    const lock = await readDistroLock(distro);
    if (!lock) throw lockError(where, `${where.path} does not exist`);
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
  const { bootstrapBaseImage } = await import('../../bootstrap/bootstrap-base.js');
  const before = await readDistroLock(distro).catch(() => undefined);
  const lock = await interruptible(async (signal) => {
    // Made when missing, as `build` does: for another architecture nothing else provides it.
    await bootstrapBaseImage(docker, distro.settings.binary.baseImage, {
      onProgress: (m) => output.err(m),
      signal,
    });
    return resolveLock(distro, docker.containers, before, signal);
  });
  await writeLock(distro.dir, lock, where.file);
  const changes = lockChanges(before, lock);
  if (options.json) output.out(JSON.stringify({ file: where.path, changes }, null, 2));
  else {
    for (const c of changes) output.out(`${c.name}: ${c.from ?? '(new)'} -> ${c.to ?? '(gone)'}`);
    output.out(
      `wrote ${where.path}: ${Object.keys(lock.packages).length} packages for ${Object.keys(lock.images).length} images, ${changes.length} changed`,
    );
  }
}
