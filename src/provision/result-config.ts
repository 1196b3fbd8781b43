import { DappdepsError } from '../errors.js';
import { applyChanges, type ConfigChanges, type RunConfig } from './config-changes.js';

/** The committed image's configuration file (the fields dappdeps rewrites; the others are carried over). */
interface ImageConfigFile {
  config?: RunConfig;
  container?: string;
  container_config?: unknown;
  history?: Array<{ created?: string; created_by?: string; comment?: string; empty_layer?: boolean }>;
  rootfs?: { type: string; diff_ids: string[] };
  created?: string;
  [field: string]: unknown;
}

export interface ResultConfigInput {
  /** The configuration file of the committed container, byte for byte from its saved image. */
  committed: Buffer;
  /** The source image's run configuration and layers. */
  source: { config: RunConfig; diffIds: readonly string[] };
  /** The digest of the rewritten top layer. */
  layerDiffId: string;
  changes: ConfigChanges;
  /** The history line of the new layer (what made it). */
  createdBy: string;
}

/**
 * The result's configuration file: the source image's run configuration with the requested changes (commit
 * replaced Cmd with the command that ran, and added our environment), the source's layers plus the rewritten
 * one, and a history line saying what made it. The throwaway container is forgotten (`container`,
 * `container_config`).
 */
export function resultConfig(input: ResultConfigInput): Buffer {
  const committed = JSON.parse(input.committed.toString('utf8')) as ImageConfigFile;
  const diffIds = committed.rootfs?.diff_ids ?? [];
  const sourceIds = input.source.diffIds;
  if (diffIds.length !== sourceIds.length + 1 || sourceIds.some((id, i) => diffIds[i] !== id)) {
    throw new DappdepsError(
      `the committed image does not stack exactly one layer on the source image's ${sourceIds.length} (it has ${diffIds.length})`,
    );
  }
  const history = [...(committed.history ?? [])];
  const last = history.pop();
  const result: ImageConfigFile = {
    ...committed,
    config: applyChanges(input.source.config, input.changes),
    rootfs: { type: 'layers', diff_ids: [...sourceIds, input.layerDiffId] },
    history: [...history, { created: last?.created ?? committed.created, created_by: input.createdBy }],
  };
  delete result.container;
  delete result.container_config;
  return Buffer.from(JSON.stringify(result));
}
