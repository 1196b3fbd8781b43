import type { ImageConfig, RunConfig } from '../image/image-config.js';
import { applyChanges, type ConfigChanges } from './config-changes.js';

export interface ResultConfigInput {
  /** The source image's run configuration. */
  source: RunConfig;
  changes: ConfigChanges;
  /** The history line of the new layer (what made it). */
  createdBy: string;
}

/**
 * The result's configuration, from the committed image's: the source image's run configuration with the
 * requested changes (commit replaced Cmd with the command that ran, and added our environment), and the new
 * layer's history line saying what made it. The throwaway container is forgotten (`container`,
 * `container_config`). The layers (`rootfs`) are the caller's: see rewriteTopLayer.
 */
export function resultConfig(committed: ImageConfig, input: ResultConfigInput): ImageConfig {
  const history = [...(committed.history ?? [])];
  const last = history.pop();
  const { container: _container, container_config: _containerConfig, ...kept } = committed;
  return {
    ...kept,
    config: applyChanges(input.source, input.changes),
    history: [...history, { created: last?.created ?? committed.created, created_by: input.createdBy }],
  };
}
