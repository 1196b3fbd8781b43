/** What a benchmark hands back: one table of rows, plus notes (noise, caveats) printed under it. */
export interface BenchResult {
  title: string;
  rows: Row[];
  notes: string[];
}

/** A goal is on the ratio when the row has a baseline, else on the measurement itself. */
export interface Goal {
  op: '<=' | '>=';
  value: number;
}

export interface Row {
  metric: string;
  unit: string;
  /** Every repetition: the median is reported, the spread shows the noise of a shared engine. */
  measured: number[];
  baseline?: { label: string; samples: number[] };
  goal: Goal;
}

export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new Error('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The number the goal is about: ours / baseline (medians), or the measurement when there is no baseline. */
export function scoreOf(row: Row): number {
  return row.baseline ? median(row.measured) / median(row.baseline.samples) : median(row.measured);
}

export function meets(row: Row): boolean {
  const score = scoreOf(row);
  return row.goal.op === '<=' ? score <= row.goal.value : score >= row.goal.value;
}

const num = (n: number): string =>
  Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2);

/** `1.23 s (1.20–1.31)`: the median and, when repeated, the range. */
function samplesText(samples: readonly number[], unit: string): string {
  const range = samples.length > 1 ? ` (${num(Math.min(...samples))}–${num(Math.max(...samples))})` : '';
  return `${num(median(samples))} ${unit}${range}`;
}

export function formatResult(result: BenchResult): string {
  const header = ['metric', 'ours', 'baseline', 'ratio', 'goal', ''];
  const lines = result.rows.map((row) => [
    row.metric,
    samplesText(row.measured, row.unit),
    row.baseline ? `${row.baseline.label}: ${samplesText(row.baseline.samples, row.unit)}` : '—',
    row.baseline ? num(scoreOf(row)) : '—',
    `${row.baseline ? 'ratio' : 'ours'} ${row.goal.op === '<=' ? '≤' : '≥'} ${row.goal.value}${row.baseline ? '' : ` ${row.unit}`}`,
    meets(row) ? 'met' : 'NOT met',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const render = (cells: string[]): string => `  ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')}`.trimEnd();
  return [`## ${result.title}`, render(header), ...lines.map(render), ...result.notes.map((n) => `  - ${n}`)].join(
    '\n',
  );
}

/** A row in seconds with an upper bound: on ours / baseline when there is a baseline, else on ours. */
export function secondsRow(metric: string, measured: number[], baseline: Row['baseline'], atMost: number): Row {
  return { metric, unit: 's', measured, ...(baseline ? { baseline } : {}), goal: { op: '<=', value: atMost } };
}
