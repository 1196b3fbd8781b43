import {
  lockedPackageCount,
  shortInstruction,
  stepHeader,
  stepTracker,
  type BuildStep,
} from '../../../src/orchestrator/build-step.js';
import { expect } from '../../support/expect.js';

describe('build steps from build logs', () => {
  it("reads both builders' step headers, without mount flags, cut to one line", () => {
    expect(stepHeader('[build 3/6] RUN --mount=type=bind,from=t:1,source=/a,target=/a echo hi')).to.equal(
      '[build 3/6] RUN echo hi',
    );
    expect(stepHeader('[2/3] COPY a b (cached)')).to.equal('[2/3] COPY a b');
    expect(stepHeader('Step 2/7 : RUN sleep 4')).to.equal('[step 2/7] RUN sleep 4');
    expect(stepHeader('[internal] load metadata for docker.io/library/debian:bookworm')).to.equal(undefined);
    expect(stepHeader(' ---> Running in 1234')).to.equal(undefined);
    expect(shortInstruction(`RUN ${'x'.repeat(200)}`)).to.have.length(72);
  });

  it('follows a step and what it says: the locked install, apt, the seal phases; each change once', () => {
    const steps: BuildStep[] = [];
    const line = stepTracker(95, (s) => steps.push(s));
    for (const text of [
      'dappdeps: build of d/base:1 with the buildkit builder',
      '[build 3/6] RUN /dappdeps-install/install-locked.sh /dappdeps-install/apt.lock',
      'dappdeps-install: 95 packages installed and checked against the lock',
      '[build 6/6] RUN /dappdeps-seal/seal.sh /dappdeps-seal/seal.conf',
      'dappdeps-seal: closure: /lib/libc.so.6 -> whole package libc6',
      'dappdeps-seal: closure: /lib/libz.so.1 -> whole package zlib1g',
      'dappdeps-seal: patched loader /x/ld.so (cache/preload: 2 strings)',
      'Step 2/3 : RUN apt-get install -y git',
      'Setting up git (1:2.39)',
      'Setting up less (590)',
    ])
      line(text);
    expect(steps).to.deep.equal([
      {
        step: '[build 3/6] RUN /dappdeps-install/install-locked.sh /dappdeps-install/apt.lock',
        detail: 'installing 95 locked packages',
      },
      {
        step: '[build 3/6] RUN /dappdeps-install/install-locked.sh /dappdeps-install/apt.lock',
        detail: '95 packages installed',
      },
      { step: '[build 6/6] RUN /dappdeps-seal/seal.sh /dappdeps-seal/seal.conf' },
      { step: '[build 6/6] RUN /dappdeps-seal/seal.sh /dappdeps-seal/seal.conf', detail: 'seal: closure' },
      { step: '[build 6/6] RUN /dappdeps-seal/seal.sh /dappdeps-seal/seal.conf', detail: 'seal: patched loader' },
      { step: '[step 2/3] RUN apt-get install -y git' },
      { step: '[step 2/3] RUN apt-get install -y git', detail: 'apt: 1/95 packages set up' },
      { step: '[step 2/3] RUN apt-get install -y git', detail: 'apt: 2/95 packages set up' },
    ]);
  });

  it("counts an apt.lock's packages, comments left out", () => {
    expect(lockedPackageCount('# generated\n# requested: a b\na 1 all x\nb 2 amd64 y\n')).to.equal(2);
    expect(lockedPackageCount(undefined)).to.equal(undefined);
  });
});
