// The library API: everything the CLI does is available to build tools.
export * from './errors.js';
export { loadDistro, findImage } from './manifest/load-distro.js';
export { imageTag, hasStrategy, volumeContainerName, strategies, type Distro, type ImageModel, type Strategy } from './manifest/model.js';
export type { ImageManifest, DistroSettings } from './manifest/schema.js';
export { orderInRounds, findCycles } from './graph/dependency-graph.js';
export { renderDistro, type RenderedContext } from './render/render-distro.js';
export { writeContexts, staleFiles } from './render/write-contexts.js';
