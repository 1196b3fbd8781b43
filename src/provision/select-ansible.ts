import { labels } from '../labels.js';
import type { AnsibleChoice } from '../manifest/choose-ansible.js';
import type { Distro } from '../manifest/model.js';
import type { ProvisionEngine } from './provision-engine.js';
import { readTargetOsRelease } from './target-os-release.js';

/**
 * Picks the Ansible a run mounts from the target's os-release text (undefined when the image has none): the
 * distro (suite) whose ansible image runs, and why. The CLI binds it to the suites and `--ansible`.
 */
export type AnsibleSelector = (osRelease: string | undefined) => { distro: Distro; choice: AnsibleChoice };

export interface SelectedAnsible {
  distro: Distro;
  /** Undefined when no selector was given: the distro's own Ansible, chosen by no one. */
  choice?: AnsibleChoice;
  /** The target's os-release as read ('' when it has none), for the result's label; undefined without a selector. */
  osRelease?: string;
}

/**
 * The selector applied to `image` (present on the engine), its choice and reason said through `step`; the
 * distro as given when there is no selector (no container is created then).
 */
export async function selectAnsible(
  engine: ProvisionEngine,
  distro: Distro,
  request: { image: string; name: string; select?: AnsibleSelector; step: (text: string) => void },
): Promise<SelectedAnsible> {
  if (!request.select) return { distro };
  const osRelease =
    (await recordedOsRelease(engine, request.image)) ??
    (await readTargetOsRelease(engine, request.image, request.name)) ??
    '';
  const selected = request.select(osRelease === '' ? undefined : osRelease);
  const { offer, reason, aptMismatch } = selected.choice;
  request.step(`Ansible ${offer.core} (Debian ${offer.suite}'s): ${reason}`);
  if (aptMismatch) request.step(`warning: ${aptMismatch}`);
  return { ...selected, osRelease };
}

/**
 * The os-release an earlier result of the same image recorded (its label): a re-run, cached or not, creates no
 * container to read it again. The image id names its content, so the record cannot be stale.
 */
async function recordedOsRelease(engine: ProvisionEngine, image: string): Promise<string | undefined> {
  for (const id of await engine.images.withLabel(labels.provisionFromId, image)) {
    const recorded = (await engine.images.details(id))?.config.Labels?.[labels.provisionFromOsRelease];
    if (recorded !== undefined) return recorded;
  }
  return undefined;
}

/** The provenance label's value: the version, its suite and the reason. */
export function choiceLabel(choice: AnsibleChoice): string {
  return `${choice.offer.core} (${choice.offer.suite}): ${choice.reason}`;
}
