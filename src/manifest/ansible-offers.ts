import { chooseAnsible, type AnsibleChoice, type AnsibleOffer, type OsRelease } from './choose-ansible.js';
import type { Distro } from './model.js';

/** The image every suite's Ansible is. */
const ANSIBLE = 'ansible';

/** `2.19.11` of the image version `2.19.11-1`: the upstream version the tag starts with. */
export function upstreamVersion(version: string): string {
  return version.replace(/-[^-]*$/, '');
}

/** The Ansibles the suites' distros offer, each with the distro (suite) it is mounted from. */
export function ansibleOffers(distros: readonly Distro[]): { offer: AnsibleOffer; distro: Distro }[] {
  return distros.flatMap((distro) =>
    distro.images
      .filter((i) => i.name === ANSIBLE)
      .map((i) => ({ offer: { core: upstreamVersion(i.version), suite: distro.suite.name }, distro })),
  );
}

/**
 * The suite a provision mounts its Ansible from: `--ansible` when given, else the one the target's os-release calls
 * for (see chooseAnsible), with the reason.
 */
export function chooseAnsibleSuite(
  distros: readonly Distro[],
  requested: string | undefined,
  target: OsRelease | undefined,
): { distro: Distro; choice: AnsibleChoice } {
  const offers = ansibleOffers(distros);
  const choice = chooseAnsible(
    offers.map((o) => o.offer),
    requested,
    target,
  );
  const chosen = offers.find((o) => o.offer === choice.offer);
  if (!chosen) throw new Error('the chosen Ansible is not one of the offers');
  return { distro: chosen.distro, choice };
}

/** The fields of an /etc/os-release file (shell-style KEY=value lines, values optionally quoted). */
export function parseOsRelease(text: string): OsRelease {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (!m?.[1] || m[2] === undefined) continue;
    fields[m[1]] = m[2]
      .replace(/^"(.*)"$|^'(.*)'$/, (_, d?: string, s?: string) => d ?? s ?? '')
      .replace(/\\(["$`\\])/g, '$1');
  }
  const pick = (k: keyof OsRelease) => (fields[k] !== undefined ? { [k]: fields[k] } : {});
  return {
    ...pick('ID'),
    ...pick('ID_LIKE'),
    ...pick('VERSION_ID'),
    ...pick('VERSION_CODENAME'),
    ...pick('PRETTY_NAME'),
  };
}
