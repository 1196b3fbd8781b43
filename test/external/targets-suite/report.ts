import type { Comparison } from './compare.js';
import { formatCounts } from './recap.js';
import type { RunOutcome } from './run-target.js';

function cell(outcome: RunOutcome): string {
  const result = outcome.exitCode === undefined ? 'TIMEOUT' : outcome.passed ? 'pass' : `FAIL(${outcome.exitCode})`;
  return `${result} ${formatCounts(outcome.recap)} ${outcome.seconds}s (cpu ${outcome.cpuSeconds ?? '?'}s)`;
}

/** One line per relocated run: target, mode, native outcome, relocated outcome, verdict. */
export function formatReport(comparisons: readonly Comparison[]): string {
  const rows = comparisons.map((c) => [c.target, c.mode, cell(c.native), cell(c.relocated), c.verdict]);
  const header = ['target', 'mode', 'native', 'relocated', 'verdict'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ');
  return [line(header), ...rows.map(line)].join('\n');
}
