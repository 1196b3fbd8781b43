import { z } from 'zod';
import { UsageError, type ManifestProblem } from '../errors.js';
import { suiteName, version } from './patterns.js';
import { suiteVars, type DistroSettings, type SuiteVars } from './schema.js';
import type { YamlFile } from './yaml-document.js';

/**
 * Suites: the Debian releases the binary images are built from. The default suite (distro.yaml's `binary`) holds
 * every image; another (`suites:` in distro.yaml) holds the images whose manifest lists it, with the version given
 * there. A manifest is one source of truth for every suite: strings may say `{name}` for a suite variable
 * (`python3.{py}-minimal`), which each suite's values replace before the manifest is validated.
 */
export interface Suite {
  name: string;
  /** The default suite: plain tags, distro.lock, volume containers without a suffix. */
  isDefault: boolean;
  /** Every suite of the distro, the default first. */
  all: readonly string[];
}

/** The default suite's name: `binary.suite`, else the base image's tag (debian:bookworm → bookworm). */
export function defaultSuiteName(settings: DistroSettings): string {
  if (settings.binary.suite) return settings.binary.suite;
  const tag = settings.binary.baseImage.slice(settings.binary.baseImage.lastIndexOf(':') + 1);
  return suiteName.safeParse(tag).success ? tag : 'default';
}

export function suiteOf(settings: DistroSettings, name: string | undefined): Suite {
  const first = defaultSuiteName(settings);
  const all = [first, ...Object.keys(settings.suites).filter((s) => s !== first)];
  const chosen = name ?? first;
  if (!all.includes(chosen))
    throw new UsageError(`suite "${chosen}" is not one of distro.yaml's suites (${all.join(', ')})`);
  return { name: chosen, isDefault: chosen === first, all };
}

/** The settings as a suite's images see them: its base image as the binary base. */
export function settingsForSuite(settings: DistroSettings, suite: Suite): DistroSettings {
  if (suite.isDefault) return settings;
  const other = settings.suites[suite.name];
  if (!other) throw new Error(`suite ${suite.name} is not in distro.yaml`);
  return {
    ...settings,
    binary: { ...settings.binary, baseImage: other.baseImage, suite: suite.name, vars: other.vars },
  };
}

/** What a manifest says about suites, read before the rest (which the suite's variables complete). */
const suiteHeader = z.looseObject({
  version: version.optional(),
  vars: suiteVars.optional(),
  suites: z.record(suiteName, z.looseObject({ version: version.optional(), vars: suiteVars.optional() })).optional(),
});

/**
 * A manifest's data as a suite sees it: undefined when the image is not built in that suite, else the data with the
 * suite's version and every `{var}` of the distro's and the image's variables replaced. The header's problems (a
 * suite distro.yaml does not have, a version two suites share) are added to `problems`.
 */
export function manifestForSuite(
  yaml: YamlFile,
  settings: DistroSettings,
  suite: Suite,
  problems: ManifestProblem[],
): unknown {
  const header = suiteHeader.safeParse(yaml.data ?? {}, { jitless: true });
  // A malformed header is reported by the full schema, which sees the same fields.
  if (!header.success) return yaml.data;
  const { suites = {} } = header.data;
  if (suite.isDefault) checkSuites(yaml, settings, suite, header.data.version, suites, problems);
  const entry = suite.isDefault ? { version: header.data.version, vars: header.data.vars } : suites[suite.name];
  if (!entry) return undefined;
  const vars: SuiteVars = { ...settingsForSuite(settings, suite).binary.vars, ...entry.vars };
  const data = substitute(yaml.data, vars) as Record<string, unknown>;
  if (suite.isDefault) return data;
  // Another suite builds the binary strategy only: the source strategy's recipes are the default suite's.
  const { source: _source, ...binaryOnly } = data;
  return { ...binaryOnly, version: entry.version, aliases: [] };
}

function checkSuites(
  yaml: YamlFile,
  settings: DistroSettings,
  suite: Suite,
  defaultVersion: string | undefined,
  suites: Record<string, { version?: string | undefined }>,
  problems: ManifestProblem[],
): void {
  const seen = new Map<string, string>(defaultVersion ? [[defaultVersion, suite.name]] : []);
  for (const [name, entry] of Object.entries(suites)) {
    if (!settings.suites[name])
      problems.push(
        yaml.problemAt(['suites', name], `distro.yaml has no suite "${name}" (its suites: ${suite.all.join(', ')})`),
      );
    const other = entry.version ? seen.get(entry.version) : undefined;
    if (entry.version && other)
      problems.push(
        yaml.problemAt(
          ['suites', name, 'version'],
          `version ${entry.version} is the ${other} suite's too: each suite's prefix needs its own version`,
        ),
      );
    if (entry.version) seen.set(entry.version, name);
  }
}

/** A copy of `data` with `{name}` replaced in every string, except in the suite fields themselves. */
function substitute(data: unknown, vars: SuiteVars): unknown {
  const names = Object.keys(vars);
  if (names.length === 0) return data;
  const pattern = new RegExp(`\\{(${names.join('|')})\\}`, 'g');
  const visit = (node: unknown, top = false): unknown => {
    if (typeof node === 'string') return node.replace(pattern, (_, name: string) => vars[name] ?? '');
    if (Array.isArray(node)) return node.map((n) => visit(n));
    if (typeof node === 'object' && node !== null)
      return Object.fromEntries(
        Object.entries(node).map(([k, v]) => [k, top && (k === 'suites' || k === 'vars') ? v : visit(v)]),
      );
    return node;
  };
  return visit(data, true);
}
