/**
 * `node --import tsx test/external/run-ansible-targets.ts [--only a,b]
 * [--modes native,relocated,relocated-busybox] [--suite trixie] [--concurrency N] [--logs DIR] [--timeout SECONDS]`:
 * runs our Ansible integration targets (test/ansible-targets) natively and relocated, with the Ansible of the
 * suite's Debian release (--suite; default: the default suite's) both ways (each run stopped after --timeout,
 * default 900 s), prints one line per relocated run, and exits 1 when a target that passes natively fails
 * relocated.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { formatReport } from './targets-suite/report.js';
import { runSuite, type ModeName } from './targets-suite/suite.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    modes: { type: 'string' },
    suite: { type: 'string' },
    concurrency: { type: 'string', default: '2' },
    logs: { type: 'string' },
    timeout: { type: 'string', default: '900' },
  },
});
const logDir = values.logs ?? (await mkdtemp(path.join(os.tmpdir(), 'dappdeps-wtargets-')));
console.error(`logs: ${logDir}`);
const started = Date.now();
const result = await runSuite({
  only: values.only?.split(',').filter(Boolean),
  modes: values.modes?.split(',').filter(Boolean) as ModeName[] | undefined,
  ...(values.suite ? { suite: values.suite } : {}),
  concurrency: Number(values.concurrency),
  logDir,
  timeoutMs: Number(values.timeout) * 1000,
  onOutcome: (o) => console.error(`${o.mode} ${o.target}: ${o.passed ? 'pass' : 'FAIL'} (${o.seconds}s)`),
});
console.log(formatReport(result.comparisons));
console.log(`wall time: ${Math.round((Date.now() - started) / 1000)}s`);
process.exitCode = result.comparisons.some((c) => c.verdict === 'regression') ? 1 : 0;
