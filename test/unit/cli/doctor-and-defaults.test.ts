import os from 'node:os';
import path from 'node:path';
import { doctorPassed, doctorText, type Check } from '../../../src/cli/doctor/doctor-report.js';
import { isInstalledDistro, userCacheDir, workDir } from '../../../src/cli/work-dir.js';
import { packageRoot } from '../../../src/package-root.js';
import { expect } from '../../support/expect.js';

describe('doctor report', () => {
  const engine: Check = { name: 'engine', status: 'ok', detail: 'docker 20.10 (API 1.41)' };
  const registry: Check = {
    name: 'registry',
    status: 'missing',
    detail: 'none',
    neededBy: 'push, pull',
    fix: 'set it',
  };

  it('passes when only what some commands need is missing', () => {
    expect(doctorPassed([engine, registry])).to.equal(true);
    expect(doctorText([engine, registry])).to.deep.equal([
      'ok        engine    docker 20.10 (API 1.41)',
      'missing   registry  none',
      '                    needed by: push, pull',
      '                    fix: set it',
      'ready: the default commands have what they need',
    ]);
  });

  it('fails when what the default commands need is missing; unchecked follows from it', () => {
    const noEngine: Check = { name: 'engine', status: 'missing', detail: 'no engine', fix: 'doctor --fix' };
    const unchecked: Check = { name: 'BuildKit', status: 'unchecked', detail: 'no engine to ask' };
    expect(doctorPassed([noEngine, unchecked])).to.equal(false);
    expect(doctorText([noEngine, unchecked]).at(-1)).to.equal('not ready: engine');
  });
});

describe('default locations', () => {
  it("a checkout's (or the user's own) distro keeps .dappdeps/ beside it", () => {
    expect(workDir({ dir: '/home/me/project/distro' })).to.equal('/home/me/project/.dappdeps');
    expect(workDir({ dir: '/x/distro' }, 'w')).to.equal(path.resolve('w'));
    // This repository is a checkout (it has .git): its own distro is not an installed one.
    expect(isInstalledDistro({ dir: path.join(packageRoot, 'distro') })).to.equal(false);
  });

  it('the user cache folder follows XDG_CACHE_HOME, else ~/.cache', () => {
    expect(userCacheDir({ XDG_CACHE_HOME: '/c' })).to.equal('/c/dappdeps');
    expect(userCacheDir({})).to.equal(path.join(os.homedir(), '.cache/dappdeps'));
  });
});
