import { ciBusybox, ciTargets } from '../external/targets-suite/selection.js';
import { describeTargetsSuite } from '../external/targets-suite/describe-suite.js';

// The part of the Ansible targets suite that `npm test` (and so CI) runs; the whole is `npm run test:ansible-targets`.
describeTargetsSuite(
  `Ansible integration targets in CI (${ciTargets.join(', ')}; ${ciBusybox.join(', ')} in busybox)`,
  ciTargets,
  ciBusybox,
);
