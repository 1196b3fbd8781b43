/**
 * Imports point one way: cli → ui → the commands' features (orchestrator, verify, volumes, mounts, bootstrap,
 * render, provision, demo, publish) → the core they share (audit, prefix-cache) → the base (docker, archive, manifest, graph,
 * errors, labels). `npm run depcheck` fails on a cycle or an import against that direction.
 */
const features = '^src/(orchestrator|verify|volumes|bootstrap|render|demo|provision|mounts|publish|sbom)/';
const core = '^src/(audit|prefix-cache|lock)/';
const base = '^src/(docker|archive|manifest|graph)/|^src/(errors|labels)\\.ts$';

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'cli-is-the-top',
      comment: 'only the CLI itself (and nothing in the library) imports src/cli/',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'ui-above-features',
      comment: 'features report through callbacks; only the CLI picks a ui',
      severity: 'error',
      from: { path: [features, core, base] },
      to: { path: '^src/ui/' },
    },
    {
      name: 'core-below-features',
      severity: 'error',
      from: { path: [core, base] },
      to: { path: features },
    },
    {
      name: 'base-below-core',
      severity: 'error',
      from: { path: base },
      to: { path: core },
    },
    {
      name: 'audit-above-prefix-cache',
      comment: 'the audit reads extracted prefixes; the cache knows nothing of the audit',
      severity: 'error',
      from: { path: '^src/prefix-cache/' },
      to: { path: '^src/audit/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
