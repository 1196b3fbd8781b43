import { describeTargetsSuite } from './targets-suite/describe-suite.js';

// The whole selection (`npm run test:ansible-targets`); CI runs a part of it (test/integration/).
describeTargetsSuite('our Ansible integration targets: relocated against Debian native');
