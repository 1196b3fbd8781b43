import { labels } from '../labels.js';

export interface Provenance {
  playbookSha256: string;
  ansibleVersion: string;
  deps: Array<{ ref: string; id: string }>;
  from: { ref: string; id: string };
}

/** The labels a provisioned image carries, saying what made it. */
export function provenanceLabels(p: Provenance): Record<string, string> {
  return {
    [labels.provisionPlaybook]: p.playbookSha256,
    [labels.provisionAnsible]: p.ansibleVersion,
    [labels.provisionDeps]: p.deps.map((d) => `${d.ref}@${d.id}`).join(','),
    [labels.provisionFrom]: p.from.ref,
    [labels.provisionFromId]: p.from.id,
  };
}
