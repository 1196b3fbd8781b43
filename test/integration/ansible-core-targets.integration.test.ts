import { ciTargets } from '../external/targets-suite/selection.js';
import { describeTargetsSuite } from '../external/targets-suite/describe-suite.js';

// The part of the upstream targets suite that `npm test` (and so CI) runs; the whole is `npm run test:ansible-targets`.
describeTargetsSuite(`ansible-core 2.14 integration targets in CI (${ciTargets.join(', ')})`, ciTargets);
