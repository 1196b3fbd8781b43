import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { DappdepsError, ReportedFailure } from '../../errors.js';
import { packageRoot } from '../../package-root.js';
import type { Output } from '../../ui/output.js';
import { addDistroOption, openDistro, type DistroOptions } from '../distro-option.js';
import type { Check } from '../doctor/doctor-report.js';
import { workDir } from '../work-dir.js';

interface DoctorOptions extends DistroOptions {
  json?: boolean;
  fix?: boolean;
  arch?: string;
  workDir?: string;
}

/** The engine set-up shipped in the package: installs Debian's docker.io and starts dockerd when none answers. */
export const ENSURE_ENGINE = path.join(packageRoot, 'scripts/ensure-engine.sh');

export function registerDoctor(program: Command, output: Output): void {
  addDistroOption(program.command('doctor'))
    .description(
      'check what the commands need (engine, BuildKit, mounts, disk, base and distro images…), each with its fix',
    )
    .option('--json', 'print {passed, checks: [{name, status, detail, neededBy, fix}]} on stdout')
    .option('--fix', "as root: install and start an engine when none answers (Debian's docker.io), then check again")
    .option('--arch <arch>', 'with --fix: also make this machine run ARCH containers (arm64: qemu-user-static)')
    .option('--work-dir <dir>', 'the work folder whose free space to check (default: as build uses it)')
    .action(async (options: DoctorOptions) => {
      if (options.fix) await runEnsureEngine(options.arch, output);
      const distro = await openDistro(options, output);
      const checks = await runChecks(distro, workDir(distro, options.workDir));
      const { doctorPassed, doctorText } = await import('../doctor/doctor-report.js');
      const passed = doctorPassed(checks);
      if (options.json) output.out(JSON.stringify({ passed, checks }, null, 2));
      else output.out(doctorText(checks).join('\n'));
      if (!passed) throw new ReportedFailure('doctor: something the default commands need is missing');
    });
}

async function runChecks(distro: Awaited<ReturnType<typeof openDistro>>, work: string): Promise<Check[]> {
  const engineChecks = await import('../doctor/engine-checks.js');
  const host = await import('../doctor/host-checks.js');
  const { openEngine } = await import('../engine-session.js');
  const { check, docker, version } = await engineChecks.engineCheck(openEngine);
  const hostChecks = async (busyboxTarget: boolean) => [
    await host.freeDisk(work),
    await host.arm64Emulation(os.arch()),
    await host.staticBusybox(busyboxTarget),
    await engineChecks.registryCheck(distro),
  ];
  if (!docker || !version) {
    const { unchecked } = engineChecks;
    const later = ['BuildKit', 'image mounts', 'default network', 'base image', 'distro images'];
    return [check, ...later.map((name) => unchecked(name)), ...(await hostChecks(false))];
  }
  const busyboxTarget = (await docker.images.inspect(`${distro.settings.repository}/target-busybox:1`)) !== undefined;
  return [
    check,
    engineChecks.buildkitCheck(version),
    engineChecks.imageMountsCheck(version),
    await engineChecks.networkCheck(docker, version),
    await engineChecks.baseImageCheck(docker, distro, await onPath('debootstrap')),
    await engineChecks.distroImagesCheck(docker, distro),
    ...(await hostChecks(busyboxTarget)),
  ];
}

/** Whether an executable of that name is on PATH (or in the sbin folders root's PATH has). */
async function onPath(command: string): Promise<boolean> {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin'].filter(Boolean);
  for (const dir of dirs)
    if (
      await access(path.join(dir, command), constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return true;
  return false;
}

function runEnsureEngine(arch: string | undefined, output: Output): Promise<void> {
  output.err(`doctor: running ${ENSURE_ENGINE}${arch ? ` --arch ${arch}` : ''}`);
  const child = spawn('bash', [ENSURE_ENGINE, ...(arch ? ['--arch', arch] : [])], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new DappdepsError(`${ENSURE_ENGINE} exited with ${code}`, { hint: 'its lines above say why' })),
    );
  });
}
