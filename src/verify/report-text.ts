import { auditSummary } from '../audit/audit-image.js';
import type { CheckRun } from './run-check.js';
import type { VerifyReport } from './verify-distro.js';

/** Output lines shown per failed command. */
const TAIL_LINES = 12;

/** Rows of cells as left-aligned columns. */
function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows.map((r) => `  ${r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ')}`.trimEnd());
}

function describeFailure(title: string, run: CheckRun): string[] {
  const status =
    run.code === undefined ? 'did not finish' : run.code === 0 ? 'exit 0, expected output missing' : `exit ${run.code}`;
  const output = run.output.trimEnd();
  const tail = output === '' ? ['(no output)'] : output.split('\n').slice(-TAIL_LINES);
  return [`FAIL ${title}: ${run.argv.join(' ')} (${status})`, ...tail.map((l) => `    | ${l}`)];
}

/** The report for people: audit counts and violations by image, the smoke matrix, then every failure. */
export function reportText(report: VerifyReport): string[] {
  const lines = [`audit (${report.strategy}):`];
  for (const a of report.audits) {
    lines.push(`  ${a.image} (${a.tag}): ${auditSummary(a)}`);
    lines.push(...a.violations.map((v) => `    ${v.file}: ${v.problem}`));
    if (a.notBuilt.length > 0) lines.push(`    run-time dependencies not built: ${a.notBuilt.join(', ')}`);
  }
  for (const name of report.unsupported) lines.push(`  ${name}: no ${report.strategy} strategy, not verified`);
  if (report.targets.length === 0) return lines;

  lines.push('smoke commands passed (per image and target):');
  const rows = report.audits.map((a) => [
    a.image,
    ...report.targets.map((t) => {
      const runs = report.smoke.filter((s) => s.image === a.image && s.target === t);
      return `${runs.filter((s) => s.passed).length}/${runs.length}`;
    }),
  ]);
  lines.push(...table([['image', ...report.targets], ...rows]));
  for (const c of report.targetChecks) lines.push(`  ${c.target}: ${c.name}: ${c.passed ? 'ok' : 'FAILED'}`);
  for (const s of report.smoke) if (!s.passed) lines.push(...describeFailure(`${s.image} in ${s.target}`, s));
  for (const c of report.targetChecks) if (!c.passed) lines.push(...describeFailure(`${c.target}: ${c.name}`, c));
  return lines;
}
