import { UsageError } from '../errors.js';

/** One Ansible the distro offers: its suite's ansible image. */
export interface AnsibleOffer {
  /** ansible-core's version, e.g. `2.19.11`. */
  core: string;
  /** The Debian suite its packages (and its apt bindings) come from, e.g. `trixie`. */
  suite: string;
}

/** The fields of a target's /etc/os-release the choice reads (absent when the image has no os-release). */
export interface OsRelease {
  ID?: string;
  ID_LIKE?: string;
  VERSION_ID?: string;
  VERSION_CODENAME?: string;
  PRETTY_NAME?: string;
}

export interface AnsibleChoice {
  offer: AnsibleOffer;
  /** Why this one, in one line (for the progress output and the result's labels). */
  reason: string;
  /**
   * Set when the chosen Ansible's apt bindings are not known to work with the target's apt (an explicit `--ansible`
   * against the table below): what the apt module must say instead of a silent wrong result.
   */
  aptMismatch?: string;
}

/** Debian's releases by codename, oldest first; `sid` is the newest. */
const DEBIAN_RELEASES = ['buster', 'bullseye', 'bookworm', 'trixie', 'forky', 'duke'] as const;
const DEBIAN_NUMBER: Readonly<Record<string, number>> = {
  ...Object.fromEntries(DEBIAN_RELEASES.map((c, i) => [c, 10 + i])),
  sid: 99,
};

/**
 * The table measured on this project's machines (docs/provision.md): does the apt module, with the apt bindings of
 * the suite in the row (python3-apt linked against that suite's libapt, sealed in the ansible prefix), refresh the
 * lists and install a package in a target of the release in the column? A pair not in the table counts as unknown.
 * Each suite's bindings work in their own release.
 */
export const APT_BINDINGS_MEASURED: Readonly<Record<string, Readonly<Record<string, boolean>>>> = {
  // 2026-12-08, python-apt's update, cache read and apt-get install of `hello`, as the apt module does them: trixie's
  // and sid's lists fail to fetch ("FetchFailedException") with bookworm's libapt 2.6.
  bookworm: { bookworm: true, bullseye: true, trixie: false, sid: false },
  // Same run: trixie's libapt 3.0 also did all three in bookworm and bullseye targets, but those pairs stay out of the
  // table until the apt module itself is run there (the launcher refuses it across apt majors, child-env.py).
  trixie: { trixie: true, sid: true },
};

/** The Debian release the target's apt belongs to (its number), or undefined when it has no apt we know of. */
export function targetAptRelease(os: OsRelease | undefined): { number: number; name: string } | undefined {
  if (!os) return undefined;
  const id = (os.ID ?? '').toLowerCase();
  const like = (os.ID_LIKE ?? '').toLowerCase().split(/\s+/);
  const name = os.PRETTY_NAME ?? ([os.ID, os.VERSION_ID].filter(Boolean).join(' ') || 'the target');
  if (id === 'ubuntu' || like.includes('ubuntu')) return { number: DEBIAN_NUMBER.bookworm ?? 12, name };
  if (id !== 'debian' && !like.includes('debian')) return undefined;
  const codename = (os.VERSION_CODENAME ?? '').toLowerCase();
  const byCode = DEBIAN_NUMBER[codename];
  if (byCode !== undefined) return { number: byCode, name };
  const major = /^(\d+)/.exec(os.VERSION_ID ?? '')?.[1];
  // A Debian without VERSION_ID is testing or unstable: the newest.
  if (id === 'debian') return { number: major ? Number(major) : (DEBIAN_NUMBER.sid ?? 99), name };
  // A derivative with an unknown codename: its apt is of some Debian we cannot tell.
  return { number: DEBIAN_NUMBER.bookworm ?? 12, name };
}

function suiteNumber(offer: AnsibleOffer): number {
  const n = DEBIAN_NUMBER[offer.suite];
  if (n === undefined) throw new Error(`suite ${offer.suite} is not a Debian release`);
  return n;
}

function codenameOf(n: number): string {
  return Object.entries(DEBIAN_NUMBER).find(([, v]) => v === n)?.[0] ?? String(n);
}

/**
 * Whether the offer's apt bindings are known to work in a target of release `n`: its own release, a pair measured to
 * work, or a release newer than every suite's (forky, sid), which the newest suite's bindings serve.
 */
function bindingsWork(offer: AnsibleOffer, n: number, newestSuite: number): boolean {
  const own = suiteNumber(offer);
  if (own === n || (n > own && own === newestSuite)) return true;
  return APT_BINDINGS_MEASURED[offer.suite]?.[codenameOf(n)] === true;
}

/** `2.19` matches 2.19.11, `2.19.11` only itself, `trixie` its suite's. */
function matches(offer: AnsibleOffer, requested: string): boolean {
  return requested === offer.suite || offer.core === requested || offer.core.startsWith(`${requested}.`);
}

function newestFirst(offers: readonly AnsibleOffer[]): AnsibleOffer[] {
  const key = (o: AnsibleOffer) => o.core.split('.').map(Number);
  return [...offers].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    for (let i = 0; i < Math.max(x.length, y.length); i++)
      if ((x[i] ?? 0) !== (y[i] ?? 0)) return (y[i] ?? 0) - (x[i] ?? 0);
    return 0;
  });
}

/**
 * Which Ansible a provision uses. An explicit request wins (`2.19`, `2.19.11` or a suite name). Without one, a target
 * with apt gets the newest Ansible whose apt bindings work with its apt: measured, or the suite of its own release,
 * else the newest suite older than it, else the oldest; a target without apt (busybox, musl, scratch) the newest.
 */
export function chooseAnsible(
  available: readonly AnsibleOffer[],
  requested: string | undefined,
  target: OsRelease | undefined,
): AnsibleChoice {
  const offers = newestFirst(available);
  const newest = offers[0];
  if (!newest) throw new UsageError('the distro has no ansible image');
  const apt = targetAptRelease(target);
  if (requested !== undefined) {
    const offer = offers.find((o) => matches(o, requested));
    if (!offer)
      throw new UsageError(
        `--ansible ${requested}: no such Ansible in the distro; available: ${offers.map((o) => `${minor(o)} (${o.core}, ${o.suite})`).join(', ')}`,
      );
    const choice: AnsibleChoice = { offer, reason: `--ansible ${requested}` };
    if (apt && !bindingsWork(offer, apt.number, Math.max(...offers.map(suiteNumber))))
      choice.aptMismatch = `ansible-core ${offer.core}'s apt bindings are Debian ${offer.suite}'s; the target is ${apt.name}, whose apt they are not known to work with: use --ansible ${minor(pickForApt(offers, apt.number))} for the apt and apt_repository modules`;
    return choice;
  }
  if (!apt) return { offer: newest, reason: 'the target has no apt: the newest Ansible' };
  const offer = pickForApt(offers, apt.number);
  return {
    offer,
    reason: `the target is ${apt.name}: Debian ${offer.suite}'s apt bindings work with its apt`,
  };
}

function pickForApt(offersNewestFirst: readonly AnsibleOffer[], release: number): AnsibleOffer {
  const newestSuite = Math.max(...offersNewestFirst.map(suiteNumber));
  const working = offersNewestFirst.find((o) => bindingsWork(o, release, newestSuite));
  if (working) return working;
  // No measured pair: the newest suite older than the target, else the oldest suite.
  const fallback =
    offersNewestFirst.find((o) => suiteNumber(o) < release) ?? offersNewestFirst[offersNewestFirst.length - 1];
  if (!fallback) throw new UsageError('the distro has no ansible image');
  return fallback;
}

/** `2.19` of 2.19.11: what `--ansible` takes. */
export function minor(offer: AnsibleOffer): string {
  return offer.core.split('.').slice(0, 2).join('.');
}
