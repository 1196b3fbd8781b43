/** Where a running build is: its current Dockerfile step, and what that step is doing when it says so. */
export interface BuildStep {
  /** E.g. `[build 3/6] RUN /dappdeps-install/install-locked.sh …` (BuildKit) or `[step 3/6] RUN …` (classic). */
  step: string;
  /** E.g. `installing 95 locked packages`, `apt: 12/95 set up`, `seal: closure`. */
  detail?: string;
}

const STEP_WIDTH = 72;
/** BuildKit's vertex names: `[stage n/m] INSTRUCTION`; `[internal] …` has no numbers and is no step. */
const BUILDKIT_STEP = /^\[(?:([\w.-]+) )?(\d+)\/(\d+)\] (.+)$/;
/** The classic builder: `Step n/m : INSTRUCTION`. */
const CLASSIC_STEP = /^Step (\d+)\/(\d+) : (.+)$/;
const SEAL_NOTE = /^dappdeps-seal: (?:warning: )?([a-z][\w-]*(?: loader)?)/;
const INSTALL_NOTE = /^dappdeps-install: (\d+) packages installed/;

/** An instruction as a person reads it in one line: mount flags dropped, the rest cut to a width. */
export function shortInstruction(instruction: string): string {
  const text = instruction.replace(/--mount=\S+\s*/g, '').replace(/\s+/g, ' ');
  return text.length > STEP_WIDTH ? `${text.slice(0, STEP_WIDTH - 1)}…` : text;
}

/** The step a log line starts, if it is a step header of either builder. */
export function stepHeader(line: string): string | undefined {
  const buildkit = BUILDKIT_STEP.exec(line);
  if (buildkit) {
    const [, stage, n, m, instruction = ''] = buildkit;
    return `[${stage ? `${stage} ` : ''}${n}/${m}] ${shortInstruction(instruction.replace(/ \(cached\)$/, ''))}`;
  }
  const classic = CLASSIC_STEP.exec(line);
  if (classic) {
    const [, n, m, instruction = ''] = classic;
    return `[step ${n}/${m}] ${shortInstruction(instruction)}`;
  }
  return undefined;
}

/**
 * Follows one build's log lines and calls `onStep` when the step or its detail changes. `lockedPackages`
 * (the image's apt.lock) gives the installing step a count, since the lock's install runs apt quietly.
 */
export function stepTracker(
  lockedPackages: number | undefined,
  onStep: (step: BuildStep) => void,
): (line: string) => void {
  let current: BuildStep | undefined;
  let setUp = 0;
  const change = (next: BuildStep) => {
    if (current && current.step === next.step && current.detail === next.detail) return;
    current = next;
    onStep(next);
  };
  return (line) => {
    const header = stepHeader(line);
    if (header) {
      setUp = 0;
      const installing = lockedPackages !== undefined && header.includes('install-locked');
      return change(
        installing ? { step: header, detail: `installing ${lockedPackages} locked packages` } : { step: header },
      );
    }
    if (!current) return;
    const seal = SEAL_NOTE.exec(line);
    if (seal) return change({ step: current.step, detail: `seal: ${seal[1]}` });
    const installed = INSTALL_NOTE.exec(line);
    if (installed) return change({ step: current.step, detail: `${installed[1]} packages installed` });
    if (line.startsWith('Setting up ')) {
      setUp += 1;
      const of = lockedPackages === undefined ? '' : `/${lockedPackages}`;
      change({ step: current.step, detail: `apt: ${setUp}${of} packages set up` });
    }
  };
}

/** The number of packages an apt.lock file pins (one per line; `#` lines are comments). */
export function lockedPackageCount(aptLock: string | Buffer | undefined): number | undefined {
  if (aptLock === undefined) return undefined;
  return aptLock
    .toString()
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#')).length;
}
