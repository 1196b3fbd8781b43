import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { ManifestError, UsageError, type ManifestProblem } from '../errors.js';
import { packageRoot } from '../package-root.js';
import { checkSemantics } from './check-semantics.js';
import { DistroIndex } from './distro-index.js';
import { withStageCompiler } from './distro-for-architecture.js';
import type { Distro, ImageModel } from './model.js';
import { distroSettings, imageManifest } from './schema.js';
import { manifestForSuite, settingsForSuite, suiteOf } from './suites.js';
import { parseYamlFile, type YamlFile } from './yaml-document.js';
import { problemsFromIssues } from './zod-problems.js';

export const DISTRO_FILE = 'distro.yaml';

/**
 * Load and validate a distro folder: `distro.yaml` plus one manifest per image (`<name>.yaml`), as built in `suite`
 * (default: the default suite, which holds every image). Every problem of every file is collected before throwing
 * one ManifestError, so a user fixes them all in one pass.
 */
export async function loadDistro(dir: string, suiteName?: string): Promise<Distro> {
  const entries = await readdir(dir).catch((cause: unknown) => {
    throw new UsageError(`cannot read distro folder ${dir}: ${(cause as Error).message}`);
  });
  if (!entries.includes(DISTRO_FILE)) throw new UsageError(`${dir} has no ${DISTRO_FILE}: not a distro folder`);
  const manifestFiles = entries.filter((f) => /\.ya?ml$/.test(f) && f !== DISTRO_FILE).sort();

  const problems: ManifestProblem[] = [];
  const settingsFile = await readYaml(path.join(dir, DISTRO_FILE));
  const allSettings = validated(settingsFile, distroSettings, problems);
  if (!allSettings) throw new ManifestError(problems);
  const suite = suiteOf(allSettings, suiteName);
  const settings = settingsForSuite(allSettings, suite);

  const images: ImageModel[] = [];
  const invalid = new Set<string>();
  for (const file of manifestFiles) {
    const yaml = await readYaml(path.join(dir, file));
    if (yaml.syntaxProblems.length > 0) {
      problems.push(...yaml.syntaxProblems);
      invalid.add(invalidImageName(file, yaml));
      continue;
    }
    const data = manifestForSuite(yaml, allSettings, suite, problems);
    if (data === undefined) continue; // not built in this suite
    const manifest = validated({ ...yaml, data }, imageManifest, problems);
    if (!manifest) {
      invalid.add(invalidImageName(file, yaml));
      continue;
    }
    const expected = `${manifest.name}.yaml`;
    if (file !== expected)
      problems.push(yaml.problemAt(['name'], `image "${manifest.name}" must be in a file named ${expected}`));
    const prefix = `${settings.prefixRoot.replace(/\/+$/, '')}/${manifest.name}/${manifest.version}`;
    images.push({ name: manifest.name, version: manifest.version, prefix, manifest, yaml });
  }
  images.sort((a, b) => a.name.localeCompare(b.name));
  // In another suite, an image whose compiler (the toolchain) is not built there uses the build stage's gcc.
  const inSuite = new Set(images.map((i) => i.name));
  if (!suite.isDefault)
    images.splice(0, images.length, ...images.map((i) => withStageCompiler(i, (n) => inSuite.has(n))));

  const { errors, warnings } = checkSemantics(images, invalid);
  problems.push(...errors);
  if (problems.length > 0) throw new ManifestError(problems);

  const templatesDir = settings.templates ? path.resolve(dir, settings.templates) : path.join(packageRoot, 'templates');
  const index = new DistroIndex(settings, images);
  return { dir: path.resolve(dir), settings, images, index, templatesDir, warnings, suite };
}

/** The image an invalid manifest meant to define: its `name` when it has one, else its file's. */
function invalidImageName(file: string, yaml: YamlFile): string {
  const data: unknown = yaml.data;
  const name = typeof data === 'object' && data !== null && 'name' in data ? data.name : undefined;
  return typeof name === 'string' ? name : file.replace(/\.ya?ml$/, '');
}

/**
 * Parsed files by path, kept with the text they were parsed from: a command loads the distro once per suite (and
 * validate the default suite twice), and parsing is most of that cost. A file whose text changed is parsed again,
 * so a hit is always the same bytes.
 */
const parsed = new Map<string, { text: string; yaml: YamlFile }>();

async function readYaml(file: string): Promise<YamlFile> {
  const text = await readFile(file, 'utf8');
  const cached = parsed.get(file);
  if (cached?.text === text) return cached.yaml;
  const yaml = parseYamlFile(file, text);
  parsed.set(file, { text, yaml });
  return yaml;
}

function validated<T extends z.ZodType>(
  yaml: YamlFile,
  schema: T,
  problems: ManifestProblem[],
): z.output<T> | undefined {
  if (yaml.syntaxProblems.length > 0) {
    problems.push(...yaml.syntaxProblems);
    return undefined;
  }
  // Without zod's JIT: compiling a parser per object schema costs more than the one parse a command makes.
  const result = schema.safeParse(yaml.data ?? {}, { jitless: true });
  if (result.success) return result.data;
  problems.push(...problemsFromIssues(yaml, result.error.issues, schema));
  return undefined;
}

/** The image named `name`, or a usage error listing the known ones. */
export function findImage(distro: Distro, name: string): ImageModel {
  return distro.index.image(name);
}
