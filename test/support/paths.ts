import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const realDistroDir = path.join(repoRoot, 'distro');
export const fixturesDir = path.join(repoRoot, 'test/fixtures');
