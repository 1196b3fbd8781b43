import { createHash } from 'node:crypto';
import { labels } from '../labels.js';
import type { ConfigChanges } from './config-changes.js';

/** Bumped when the same inputs would give another result (a change to what the rewrite keeps, say). */
const FORMAT = 'dappdeps-provision/2';

/** Everything that decides a provisioned image: equal keys, equal results (as a Dockerfile step's cache). */
export interface ProvisionKeyParts {
  from: { ref: string; id: string };
  /** The dappdeps images mounted, by id (the Ansible that runs is among them). */
  deps: Array<{ ref: string; id: string }>;
  /** sha256 of the project folder as sent. */
  context: string;
  /** The playbook, relative to the folder. */
  playbook: string;
  /** `--extra-vars` arguments as ansible-playbook gets them (hashed in the labels: they may hold secrets). */
  extraVars: readonly string[];
  tags: readonly string[];
  skipTags: readonly string[];
  /** The options that change the result. */
  options: { network: string; keepCaches: boolean; changes: ConfigChanges; python: string; ansible?: string };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The cache key: a digest of the parts, the source by id only (its name does not change the result). */
export function provisionKey(parts: ProvisionKeyParts): string {
  const { from, deps, ...rest } = parts;
  return sha256(JSON.stringify({ format: FORMAT, from: from.id, deps: deps.map((d) => d.id), ...rest }));
}

/** The labels a provisioned image carries, saying what made it: the key's parts and the key. */
export function provenanceLabels(parts: ProvisionKeyParts, ansibleVersion: string): Record<string, string> {
  return {
    [labels.provisionKey]: provisionKey(parts),
    [labels.provisionContext]: parts.context,
    [labels.provisionPlaybook]: parts.playbook,
    [labels.provisionExtraVars]: sha256(JSON.stringify(parts.extraVars)),
    [labels.provisionTags]: parts.tags.join(','),
    [labels.provisionSkipTags]: parts.skipTags.join(','),
    [labels.provisionOptions]: JSON.stringify(parts.options),
    [labels.provisionAnsible]: ansibleVersion,
    [labels.provisionDeps]: parts.deps.map((d) => `${d.ref}@${d.id}`).join(','),
    [labels.provisionFrom]: parts.from.ref,
    [labels.provisionFromId]: parts.from.id,
  };
}
