import { Option } from 'commander';
import { UsageError } from '../errors.js';
import type { Distro, ImageModel } from '../manifest/model.js';
import type { Output } from '../ui/output.js';
import { distroDir, openDistro, type DistroOptions } from './distro-option.js';

export interface SuiteOptions {
  suite?: string;
}

export const suiteOption = () =>
  new Option('--suite <name>', "only this Debian suite of distro.yaml's (default: every suite, the default first)");

/**
 * The distro as built in each suite asked for: `--suite`, else every suite of distro.yaml, the default first. With
 * `--arch`, only the suites built for that architecture (distro.yaml's `suites.<name>.architectures`).
 */
export async function openSuites(
  options: DistroOptions & SuiteOptions & { arch?: string },
  output: Output,
  showWarnings = false,
): Promise<Distro[]> {
  const first = await openDistro(options, output, showWarnings);
  const { loadDistro } = await import('../manifest/load-distro.js');
  const names = options.suite !== undefined ? [options.suite] : first.suite.all;
  const distros = await Promise.all(
    names.map((s) => (s === first.suite.name ? first : loadDistro(distroDir(options), s))),
  );
  const { arch } = options;
  if (arch === undefined) return distros;
  const builds = (d: Distro) =>
    d.suite.isDefault || (d.settings.suites[d.suite.name]?.architectures ?? [arch]).includes(arch);
  const unbuilt = distros.find((d) => !builds(d));
  if (options.suite !== undefined && unbuilt)
    throw new UsageError(
      `suite ${unbuilt.suite.name} is not built for ${arch} (distro.yaml's suites.${unbuilt.suite.name}.architectures)`,
    );
  return distros.filter(builds);
}

/**
 * The suites' distros with the names each holds: all of them when none is named, else the named ones it has (a suite
 * holding none is left out). A name no suite has is a usage error.
 */
export function suitesWithNames(distros: readonly Distro[], names: readonly string[]): [Distro, string[]][] {
  for (const name of names)
    if (!distros.some((d) => d.images.some((i) => i.name === name))) distros[0]?.index.image(name); // throws, listing the known images
  return distros
    .map((d): [Distro, string[]] => [d, names.filter((n) => d.images.some((i) => i.name === n))])
    .filter(([, held]) => names.length === 0 || held.length > 0);
}

/** A `name@version` argument: the version (or a leading part of it, or a suite name) picks the suite. */
interface Wanted {
  name: string;
  version: string | undefined;
}

function parseWanted(arg: string): Wanted {
  const at = arg.indexOf('@');
  if (at < 0) return { name: arg, version: undefined };
  const version = arg.slice(at + 1);
  if (!version) throw new UsageError(`${arg}: say a version after "@", e.g. ansible@2.19`);
  return { name: arg.slice(0, at), version };
}

/** Whether `image` (in `distro`'s suite) is what `wanted.version` asks for: 2.19 matches 2.19.11-1, trixie its suite. */
function versionMatches(distro: Distro, image: ImageModel, version: string | undefined): boolean {
  if (version === undefined) return true;
  return (
    version === distro.suite.name ||
    image.version === version ||
    image.version.startsWith(`${version}.`) ||
    image.version.startsWith(`${version}-`)
  );
}

/**
 * The suite whose images `args` (`name` or `name@version`) ask for, and those images. Every name must be in the
 * same suite: a versioned name decides which; without one, the default suite.
 */
export function selectVersioned(
  distros: readonly Distro[],
  args: readonly string[],
): { distro: Distro; images: ImageModel[] } {
  const wanted = args.map(parseWanted);
  const fits = (d: Distro) =>
    wanted.every((w) => d.images.some((i) => i.name === w.name && versionMatches(d, i, w.version)));
  const distro = distros.find(fits);
  if (!distro) {
    const bad = wanted.find(
      (w) => !distros.some((d) => d.images.some((i) => i.name === w.name && versionMatches(d, i, w.version))),
    );
    if (bad && !distros.some((d) => d.images.some((i) => i.name === bad.name))) distros[0]?.index.image(bad.name);
    const offered = distros.flatMap((d) =>
      d.images.filter((i) => i.name === bad?.name).map((i) => `${i.name}@${i.version} (${d.suite.name})`),
    );
    throw new UsageError(
      bad
        ? `no suite has ${bad.name}@${bad.version ?? ''}; there are ${offered.join(', ')}`
        : `${args.join(', ')} are not all in one suite: name versions of one suite`,
    );
  }
  const names = new Set(wanted.map((w) => w.name));
  return { distro, images: distro.images.filter((i) => names.has(i.name)) };
}
