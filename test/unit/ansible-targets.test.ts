import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { verdictOf } from '../external/targets-suite/compare.js';
import { containerScript, rolePlaybook } from '../external/targets-suite/container-script.js';
import { demuxLogs } from '../external/targets-suite/docker-logs.js';
import { parseChildCpu, parseRecaps } from '../external/targets-suite/recap.js';
import type { RunOutcome } from '../external/targets-suite/run-target.js';
import { ciBusybox, ciTargets, targets } from '../external/targets-suite/selection.js';
import { suiteDir } from '../external/targets-suite/suite.js';
import { expect } from '../support/expect.js';

const recap = (line: string) => `PLAY [testhost] ****\n\nPLAY RECAP *********\n${line}\n\n`;

function outcome(passed: boolean, ok: number, changed = 0, failed = 0): RunOutcome {
  const counts = { ok, changed, unreachable: 0, failed, skipped: 0, rescued: 0, ignored: 0 };
  return {
    target: 't',
    mode: 'm',
    passed,
    exitCode: passed ? 0 : 2,
    recap: counts,
    seconds: 1,
    cpuSeconds: 1,
    logFile: '',
    tail: '',
  };
}

describe('Ansible targets suite: pure parts', () => {
  it('reads the recap counts and adds up the recaps of several playbooks', () => {
    const one =
      'testhost                   : ok=12   changed=3    unreachable=0    failed=1    skipped=2    rescued=0    ignored=4';
    const two =
      'localhost                  : ok=1    changed=0    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0';
    expect(parseRecaps(recap(one) + 'TASK [x]\nok: [testhost] => (item=a : ok=5)\n' + recap(two))).to.deep.equal({
      ok: 13,
      changed: 3,
      unreachable: 0,
      failed: 1,
      skipped: 2,
      rescued: 0,
      ignored: 4,
    });
  });

  it('has no recap when Ansible stopped before any play', () => {
    expect(parseRecaps('ERROR! the role x was not found\n')).to.equal(undefined);
  });

  it("reads the children's CPU time from the shell's `times` after the marker", () => {
    expect(parseChildCpu('x\nDAPPDEPS_TIMES\n0m0.01s 0m0.02s\n1m2.50s 0m10.05s\n', 'DAPPDEPS_TIMES')).to.equal(72.6);
    expect(parseChildCpu('no marker\n', 'DAPPDEPS_TIMES')).to.equal(undefined);
  });

  it('joins the frames of a non-TTY log buffer in order', () => {
    const frame = (stream: number, text: string) => {
      const body = Buffer.from(text);
      const head = Buffer.alloc(8);
      head.writeUInt8(stream, 0);
      head.writeUInt32BE(body.length, 4);
      return Buffer.concat([head, body]);
    };
    expect(demuxLogs(Buffer.concat([frame(1, 'out '), frame(2, 'err '), frame(1, 'ok\n')]))).to.equal('out err ok\n');
  });

  it('plays a target as a role against testhost, without gathering facts', () => {
    expect(parse(rolePlaybook({ name: 'become' }))).to.deep.equal([
      { hosts: 'testhost', gather_facts: false, roles: ['become'] },
    ]);
  });

  it('runs the play with the mode’s ansible-playbook and inventory, keeping its exit status', () => {
    const script = containerScript({ name: 'become' }, '/p/bin', '/p/bin/python3').split('\n');
    // the inventory names the Python modules run with (unarchive writes a zip with it)
    expect(script).to.include(
      'testhost ansible_connection=local ansible_pipelining=yes ansible_python_interpreter=/p/bin/python3',
    );
    expect(script).to.include('[ -d /tmp ] || mkdir -m 1777 /tmp');
    expect(script).to.include('/p/bin/ansible-playbook -i /tmp/suite/inventory /tmp/suite/become.yml || status=$?');
    expect(script.slice(-3)).to.deep.equal(['echo DAPPDEPS_TIMES', 'times', 'exit $status']);
  });

  it('judges a relocated run against the native one', () => {
    expect(verdictOf(outcome(true, 5, 1), outcome(true, 5, 1))).to.equal('same');
    expect(verdictOf(outcome(true, 5, 1), outcome(true, 5, 2))).to.equal('counts-differ');
    expect(verdictOf(outcome(true, 5), outcome(false, 3, 0, 1))).to.equal('regression');
    expect(verdictOf(outcome(false, 5), outcome(false, 3))).to.equal('fails-both');
    expect(verdictOf(outcome(false, 5), outcome(true, 3))).to.equal('relocated-only');
  });

  it('runs every target folder, each a role whose tasks assert their results', () => {
    const folders = readdirSync(suiteDir).sort();
    expect(targets.map((t) => t.name).sort()).to.deep.equal(folders);
    for (const name of folders) {
      const main = path.join(suiteDir, name, 'tasks', 'main.yml');
      expect(existsSync(main), main).to.equal(true);
      const tasks = parse(readFileSync(main, 'utf8')) as Record<string, unknown>[];
      expect(
        tasks.some((task) => 'assert' in task),
        `${name} asserts nothing`,
      ).to.equal(true);
    }
    expect(ciTargets.filter((name) => !targets.some((t) => t.name === name))).to.deep.equal([]);
    expect(
      ciBusybox.filter((name) => !ciTargets.includes(name) || !targets.find((t) => t.name === name)?.busybox),
    ).to.deep.equal([]);
  });
});
