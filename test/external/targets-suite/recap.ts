/** The counters of one host's line in Ansible's PLAY RECAP. */
export interface RecapCounts {
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
  skipped: number;
  rescued: number;
  ignored: number;
}

const counters = ['ok', 'changed', 'unreachable', 'failed', 'skipped', 'rescued', 'ignored'] as const;
const recapLine = /^\S+\s+:\s+((?:\w+=\d+\s*)+)$/;

/**
 * The recap counts in `output`, every recap printed added up, or
 * undefined when no recap was printed (Ansible stopped before running any play).
 */
export function parseRecaps(output: string): RecapCounts | undefined {
  let total: RecapCounts | undefined;
  let inRecap = false;
  for (const raw of output.split(/\r?\n/)) {
    const line = raw.trimEnd();
    if (line.startsWith('PLAY RECAP')) {
      inRecap = true;
      continue;
    }
    if (!inRecap) continue;
    const match = recapLine.exec(line);
    if (!match?.[1]) {
      inRecap = line === '' ? inRecap : false;
      continue;
    }
    const fields = new Map(
      match[1]
        .trim()
        .split(/\s+/)
        .map((pair) => pair.split('=') as [string, string]),
    );
    total ??= { ok: 0, changed: 0, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 };
    for (const name of counters) total[name] += Number(fields.get(name) ?? 0);
  }
  return total;
}

/** `ok=12 changed=3 failed=0 …`, for tables and messages. */
export function formatCounts(counts: RecapCounts | undefined): string {
  if (!counts) return 'no recap';
  return `ok=${counts.ok} changed=${counts.changed} failed=${counts.failed} skipped=${counts.skipped} ignored=${counts.ignored}`;
}

/** The children's user + system CPU seconds from the shell's `times` output after `marker`. */
export function parseChildCpu(output: string, marker: string): number | undefined {
  const at = output.lastIndexOf(`${marker}\n`);
  if (at < 0) return undefined;
  const children = output.slice(at + marker.length + 1).split('\n')[1] ?? '';
  const times = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  return times.length === 2 ? Math.round(((times[0] ?? 0) + (times[1] ?? 0)) * 10) / 10 : undefined;
}
