// The library API: everything the CLI does is available to build tools.
export * from './errors.js';
export { loadDistro, findImage } from './manifest/load-distro.js';
export {
  imageTag,
  hasStrategy,
  volumeContainerName,
  withRunDeps,
  strategies,
  type Distro,
  type ImageModel,
  type Strategy,
} from './manifest/model.js';
export type { ImageManifest, DistroSettings } from './manifest/schema.js';
export { orderInRounds, findCycles } from './graph/dependency-graph.js';
export { renderDistro, type RenderedContext } from './render/render-distro.js';
export { writeContexts, staleFiles } from './render/write-contexts.js';
export { buildDistro, type BuildDistroOptions, type BuildSummary } from './orchestrator/build-distro.js';
export type { NodeResult, NodeState } from './orchestrator/dag-scheduler.js';
export { ensureVolumes, builtImages, type VolumeResult } from './volumes/volume-containers.js';
export { createDockerClient, type DockerClient, type DockerClientOptions } from './docker/docker-client.js';
export { bootstrapBaseImage } from './bootstrap/bootstrap-base.js';
export { extractImage, type ExtractOptions, type ExtractStats } from './image/extract-image.js';
export { auditPrefix, type AuditRoot, type AuditReport, type Violation } from './audit/audit-prefix.js';
export { readElf, parseElf, type ElfInfo } from './audit/elf-reader.js';
export { verifyDistro, type VerifyOptions, type VerifyReport } from './verify/verify-distro.js';
export { provisionImage, type ProvisionOptions, type ProvisionResult } from './provision/provision-image.js';
export type { ConfigChanges } from './provision/config-changes.js';
export { runAnsibleDemo, type DemoResult } from './demo/ansible-demo.js';
