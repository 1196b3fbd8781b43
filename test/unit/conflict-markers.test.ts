/**
 * A merge that leaves conflict markers in a file no compiler reads (README, templates, scripts) must not land.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { repoRoot } from '../support/paths.js';

describe('the repository', () => {
  it('holds no merge-conflict markers in any tracked text file', () => {
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: repoRoot, encoding: 'utf8' })
      .split('\0')
      .filter(Boolean);
    const marked: string[] = [];
    for (const file of files) {
      const body = readFileSync(path.join(repoRoot, file));
      if (body.includes(0)) continue; // binary
      const lines = body.toString('utf8').split('\n');
      lines.forEach((line, i) => {
        if (/^(<{7} |>{7} |={7}$)/.test(line)) marked.push(`${file}:${i + 1}`);
      });
    }
    expect(files.length).to.be.greaterThan(100);
    expect(marked).to.deep.equal([]);
  });
});
