/** Labels a provisioned image carries, saying what made it. */
export const PROVENANCE = {
  playbookSha256: 'io.dappdeps.provision.playbook.sha256',
  ansible: 'io.dappdeps.provision.ansible-core',
  deps: 'io.dappdeps.provision.deps',
  from: 'io.dappdeps.provision.from',
  fromId: 'io.dappdeps.provision.from.id',
  /** On the temporary containers of a run, so one left by a killed process can be told apart. */
  run: 'io.dappdeps.provision.run',
} as const;

export interface Provenance {
  playbookSha256: string;
  ansibleVersion: string;
  deps: Array<{ ref: string; id: string }>;
  from: { ref: string; id: string };
}

export function provenanceLabels(p: Provenance): Record<string, string> {
  return {
    [PROVENANCE.playbookSha256]: p.playbookSha256,
    [PROVENANCE.ansible]: p.ansibleVersion,
    [PROVENANCE.deps]: p.deps.map((d) => `${d.ref}@${d.id}`).join(','),
    [PROVENANCE.from]: p.from.ref,
    [PROVENANCE.fromId]: p.from.id,
  };
}
