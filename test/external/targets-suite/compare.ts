import type { RunOutcome } from './run-target.js';

/**
 * `same`: both pass with equal ok/changed/failed counts; `counts-differ`: both pass, counts differ;
 * `regression`: passes natively, fails relocated; `fails-both`; `relocated-only`: fails natively only.
 */
export type Verdict = 'same' | 'counts-differ' | 'regression' | 'fails-both' | 'relocated-only';

export interface Comparison {
  target: string;
  mode: string;
  native: RunOutcome;
  relocated: RunOutcome;
  verdict: Verdict;
}

export function verdictOf(native: RunOutcome, relocated: RunOutcome): Verdict {
  if (native.passed && relocated.passed) {
    const a = native.recap;
    const b = relocated.recap;
    const same = a && b && a.ok === b.ok && a.changed === b.changed && a.failed === b.failed;
    return same ? 'same' : 'counts-differ';
  }
  if (native.passed) return 'regression';
  return relocated.passed ? 'relocated-only' : 'fails-both';
}

/** Each relocated run against the native run of the same target. */
export function compareRuns(outcomes: readonly RunOutcome[], nativeMode: string): Comparison[] {
  const natives = new Map(outcomes.filter((o) => o.mode === nativeMode).map((o) => [o.target, o]));
  return outcomes.flatMap((relocated) => {
    const native = natives.get(relocated.target);
    if (relocated.mode === nativeMode || !native) return [];
    return [
      { target: relocated.target, mode: relocated.mode, native, relocated, verdict: verdictOf(native, relocated) },
    ];
  });
}
