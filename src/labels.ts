/**
 * Every label dappdeps puts on images and containers, in one namespace: `io.dappdeps.*`. Build tools and
 * people filter on these (`docker ps --filter label=io.dappdeps.image-id`), so they are spelled once, here.
 */
export const labels = {
  /** On images and volume containers: the image's name, version, prefix and strategy. */
  name: 'io.dappdeps.name',
  version: 'io.dappdeps.version',
  prefix: 'io.dappdeps.prefix',
  strategy: 'io.dappdeps.strategy',
  /** On images: the run-time dependencies to mount beside it, comma-separated. */
  runDeps: 'io.dappdeps.run-deps',
  /** On sealed images: the path of their SPDX 2.3 document (inside the prefix). */
  sbom: 'io.dappdeps.sbom',
  /** On sealed images: the SOURCE_DATE_EPOCH every file time of the prefix was set to (from the lock). */
  sourceDateEpoch: 'io.dappdeps.source-date-epoch',
  /** On images: what they are made of (see contentHash); equal hashes mean an equivalent image. */
  contentHash: 'io.dappdeps.content-hash',
  /** On a volume container: the id of the image whose content its volume holds. */
  imageId: 'io.dappdeps.image-id',
  /** On a volume container: the image reference it was created from (name and version). */
  image: 'io.dappdeps.image',
  /** On every container `run` creates, so one left by a killed process can be told apart. */
  run: 'io.dappdeps.run',
  /** On the smoke matrix's target images: which target. */
  target: 'io.dappdeps.target',
  /**
   * On provisioned images, what made them (the parts of their cache key, and the key): the project folder's
   * digest, the playbook in it, the extra vars' digest (not their values), tags, skip-tags, the options that
   * change the result, the Ansible that ran it, the dappdeps images mounted.
   */
  provisionKey: 'io.dappdeps.provision.key',
  provisionContext: 'io.dappdeps.provision.context.sha256',
  provisionPlaybook: 'io.dappdeps.provision.playbook',
  provisionExtraVars: 'io.dappdeps.provision.extra-vars.sha256',
  provisionTags: 'io.dappdeps.provision.tags',
  provisionSkipTags: 'io.dappdeps.provision.skip-tags',
  provisionOptions: 'io.dappdeps.provision.options',
  provisionAnsible: 'io.dappdeps.provision.ansible-core',
  /** Which suite's Ansible ran and why (the target's release, or --ansible). */
  provisionAnsibleChoice: 'io.dappdeps.provision.ansible-core.choice',
  provisionDeps: 'io.dappdeps.provision.deps',
  /** On provisioned images: the image provisioned, as named and by id. */
  provisionFrom: 'io.dappdeps.provision.from',
  provisionFromId: 'io.dappdeps.provision.from.id',
  /** The provisioned image's os-release as read when its Ansible was chosen ('' when it has none). */
  provisionFromOsRelease: 'io.dappdeps.provision.from.os-release',
  /** On the containers of a provisioning run (and so on their commits), to tell one a killed process left. */
  provisionRun: 'io.dappdeps.provision.run',
} as const;
