/** One thing a command needs, as `dappdeps doctor` found it. */
export interface Check {
  name: string;
  /** `unchecked`: it could not be looked at (no engine to ask). */
  status: 'ok' | 'missing' | 'unchecked';
  /** What was found, or what is wrong. */
  detail: string;
  /** What needs it when it is not something every default command needs, e.g. `build --arch arm64`. */
  neededBy?: string;
  /** How to get it, when it is missing. */
  fix?: string;
}

/** What a default command needs and is missing (what could not be checked follows from one of these). */
const blocking = (checks: readonly Check[]) => checks.filter((c) => c.status === 'missing' && c.neededBy === undefined);

/** Exit 1 when something a default command needs is missing. */
export function doctorPassed(checks: readonly Check[]): boolean {
  return blocking(checks).length === 0;
}

/** The report as lines: status, name, detail, then what needs it and the fix on their own lines. */
export function doctorText(checks: readonly Check[]): string[] {
  const width = Math.max(...checks.map((c) => c.name.length));
  const lines: string[] = [];
  for (const c of checks) {
    lines.push(`${c.status.padEnd(9)} ${c.name.padEnd(width)}  ${c.detail}`);
    if (c.status === 'ok') continue;
    if (c.neededBy) lines.push(`${' '.repeat(width + 12)}needed by: ${c.neededBy}`);
    if (c.fix) lines.push(`${' '.repeat(width + 12)}fix: ${c.fix}`);
  }
  const missing = blocking(checks).map((c) => c.name);
  lines.push(
    missing.length === 0 ? 'ready: the default commands have what they need' : `not ready: ${missing.join(', ')}`,
  );
  return lines;
}
