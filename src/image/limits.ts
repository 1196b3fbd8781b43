/** Metadata (manifests, configs, indexes) is small; a bigger member that is not a layer is drained, not kept. */
export const MAX_METADATA_BYTES = 16 * 1024 * 1024;
/** All metadata kept in memory at once: a hostile archive of many large JSON members stops here. */
export const MAX_METADATA_TOTAL = 64 * 1024 * 1024;
/** Nested OCI indexes (multi-platform images) are one or two deep in practice. */
export const MAX_INDEX_DEPTH = 4;
/** Symlink and hardlink members followed to the member they stand for. */
export const MAX_ALIAS_HOPS = 16;
