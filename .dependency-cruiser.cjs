/**
 * Imports point one way: cli → ui → the commands' features (orchestrator, verify, volumes, mounts, bootstrap,
 * render, provision, demo, publish, sbom, build-cache) → the core they share (audit, prefix-cache, lock) → the base (image,
 * docker, archive, manifest, graph, errors, labels, package-root). Inside the base: image (the image model) →
 * docker, archive; archive's folders tar ← overlay ← extract, and archive imports nothing else of dappdeps but
 * errors. `src/index.ts` is the library's entry and may import anything. `npm run depcheck` fails on a cycle, an
 * import against that direction, or a module in a folder this file does not describe.
 */
const features = '^src/(orchestrator|verify|volumes|bootstrap|render|demo|provision|mounts|publish|sbom|build-cache)/';
const core = '^src/(audit|prefix-cache|lock)/';
const base = '^src/(image|docker|archive|manifest|graph)/|^src/(errors|labels|package-root)\\.ts$';
const described = [features, core, base, '^src/(cli|ui)/', '^src/index\\.ts$'];

/** A rule that modules matching `from` do not import modules matching `to`. */
function forbid(name, from, to, comment) {
  return { name, ...(comment ? { comment } : {}), severity: 'error', from: { path: from }, to: { path: to } };
}

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
    forbid(
      'ui-above-features',
      [features, core, base],
      '^src/ui/',
      'features report through callbacks; only the CLI picks a ui',
    ),
    forbid('core-below-features', [core, base], features),
    forbid('base-below-core', base, core),
    {
      name: 'folders-are-described',
      comment: 'a new folder gets its place in the layers above before anything in it imports',
      severity: 'error',
      from: { path: '^src/', pathNot: described },
      to: {},
    },
    {
      name: 'archive-is-the-floor',
      comment: 'tar primitives, the overlay walker and safe extraction know nothing of images, engines or manifests',
      severity: 'error',
      from: { path: '^src/archive/' },
      to: { path: '^src/', pathNot: ['^src/archive/', '^src/errors\\.ts$'] },
    },
    forbid(
      'archive-folders-one-way',
      '^src/archive/tar/',
      '^src/archive/(overlay|extract)/',
      'tar ← overlay ← extract',
    ),
    forbid('overlay-below-extract', '^src/archive/overlay/', '^src/archive/extract/'),
    forbid(
      'image-below-features',
      '^src/image/',
      '^src/(manifest|graph)/',
      'the image model is base: it reads and writes images, it does not know what they are for',
    ),
    forbid(
      'audit-above-prefix-cache',
      '^src/prefix-cache/',
      '^src/audit/',
      'the audit reads extracted prefixes; the cache knows nothing of the audit',
    ),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
