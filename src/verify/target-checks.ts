import type { DockerClient } from '../docker/docker-client.js';
import type { ImageModel } from '../manifest/model.js';
import { runCheck, type CheckRun } from './run-check.js';
import type { SmokeTarget } from './smoke-targets.js';

export interface TargetCheck extends CheckRun {
  target: string;
  /** What the check shows. */
  name: string;
}

/** Differ between any two containers or shells, whatever is mounted. */
const ALWAYS_DIFFERENT = new Set(['HOSTNAME', 'SHLVL', '_', 'PWD', 'OLDPWD']);

/**
 * What a shell reports: where `ls` resolves on its PATH (walked by hand: busybox's sh answers `command -v` with
 * its own applet), then its environment, minus the variables named in `ignore`.
 */
const PROBE = 'IFS=:; for d in $PATH; do if [ -x "$d/ls" ]; then echo "$d/ls"; break; fi; done; unset IFS; env';

function probeLines(output: string, ignore: ReadonlySet<string>): Set<string> {
  return new Set(output.split('\n').filter((l) => l !== '' && !ignore.has(l.split('=')[0] ?? '')));
}

/** Variables the image's launcher sets for `tool` (and so, by design, for what the tool runs). */
function declaredFor(image: ImageModel, tool: string): string[] {
  return (image.manifest.binary?.launchers ?? [])
    .filter((l) => l.tools.includes(tool))
    .flatMap((l) => l.env.map((e) => e.name));
}

/**
 * In a target with tools of its own, with every verified prefix mounted: its own programs run, and inside each
 * verified image's bash the target's tools and environment are what the target's own shell sees — the same
 * `ls`, the same PATH, no variable of ours beyond those the bash launcher declares. This is what werf users
 * saw break when stapel leaked its PATH into their images.
 */
export async function runTargetChecks(
  docker: DockerClient,
  target: SmokeTarget,
  images: readonly ImageModel[],
  volumesFrom: string[],
  signal: AbortSignal,
): Promise<TargetCheck[]> {
  const run = (argv: string[], mounted: boolean, expect?: string) =>
    runCheck(docker, {
      image: target.image,
      argv,
      volumesFrom: mounted ? volumesFrom : [],
      ...(expect ? { expect } : {}),
      run: target.run,
      signal,
    });
  const checks: TargetCheck[] = [];
  for (const program of target.ownPrograms) {
    checks.push({
      target: target.name,
      name: `the target's own ${program.argv.join(' ')} runs with the prefixes mounted`,
      ...(await run(program.argv, true, program.expect)),
    });
  }
  const shells = target.hasShell ? images.filter((i) => i.manifest.bin.includes('bash')) : [];
  if (shells.length === 0) return checks;
  const own = await run(['/bin/sh', '-c', PROBE], false);
  for (const image of shells) {
    const ignore = new Set([...ALWAYS_DIFFERENT, ...declaredFor(image, 'bin/bash')]);
    const ours = await run([`${image.prefix}/bin/bash`, '-c', PROBE], true);
    const expected = probeLines(own.output, ignore);
    const seen = probeLines(ours.output, ignore);
    const differ = [...seen]
      .filter((l) => !expected.has(l))
      .concat([...expected].filter((l) => !seen.has(l)).map((l) => `missing: ${l}`));
    checks.push({
      target: target.name,
      name: `inside ${image.name}'s bash, the target's own ls, PATH and environment are unchanged`,
      ...ours,
      passed: own.passed && ours.passed && differ.length === 0,
      output:
        differ.length > 0 ? `${ours.output}\ndiffers from the target's own shell: ${differ.join(' | ')}` : ours.output,
    });
  }
  return checks;
}
