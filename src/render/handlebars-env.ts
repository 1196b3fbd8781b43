import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import Handlebars from 'handlebars';
import { DappdepsError } from '../errors.js';

export type Template = (context: object) => string;

/**
 * A Handlebars environment over one templates folder. Strict mode makes a missing variable an error
 * instead of an empty string; no HTML escaping (Dockerfiles, Ruby and shell are not HTML): values are
 * quoted for their target language by the helpers below, and manifest patterns already exclude quotes.
 */
export class TemplateSet {
  private readonly hb = Handlebars.create();
  private readonly cache = new Map<string, Template>();

  private constructor(readonly dir: string) {
    registerHelpers(this.hb);
  }

  static async open(dir: string): Promise<TemplateSet> {
    const set = new TemplateSet(dir);
    const partialsDir = path.join(dir, 'partials');
    const partials = await readdir(partialsDir).catch(() => [] as string[]);
    for (const file of partials.filter((f) => f.endsWith('.hbs')).sort()) {
      set.hb.registerPartial(file.slice(0, -'.hbs'.length), await readFile(path.join(partialsDir, file), 'utf8'));
    }
    return set;
  }

  /** The first of `candidates` (paths relative to the folder) that exists, compiled. */
  async first(candidates: readonly string[]): Promise<Template> {
    for (const rel of candidates) {
      const template = await this.optional(rel);
      if (template) return template;
    }
    throw new DappdepsError(`no template ${candidates.join(' or ')} in ${this.dir}`);
  }

  /** The template at `rel`, or undefined when the folder has none. */
  async optional(rel: string): Promise<Template | undefined> {
    return this.get(rel).catch((e: unknown) => {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    });
  }

  async get(rel: string): Promise<Template> {
    const cached = this.cache.get(rel);
    if (cached) return cached;
    const file = path.join(this.dir, rel);
    const compiled = this.hb.compile(await readFile(file, 'utf8'), { strict: true, noEscape: true });
    const template: Template = (context) => {
      try {
        return compiled(context);
      } catch (cause) {
        throw new DappdepsError(`rendering ${file}: ${(cause as Error).message}`, { cause });
      }
    };
    this.cache.set(rel, template);
    return template;
  }

  /** Raw bytes of a static (non-template) file. */
  async raw(rel: string): Promise<Buffer> {
    return readFile(path.join(this.dir, rel));
  }
}

/** A Ruby single-quoted literal: only `\` and `'` are special there. */
export function rubyString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A POSIX shell single-quoted word. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

function registerHelpers(hb: typeof Handlebars): void {
  hb.registerHelper('ruby', (value: unknown) => rubyString(String(value)));
  hb.registerHelper('sh', (value: unknown) => shellQuote(String(value)));
  /** JSON (Dockerfile exec form, LABEL values): also a valid double-quoted Dockerfile string. */
  hb.registerHelper('json', (value: unknown) => JSON.stringify(value));
  hb.registerHelper('join', (values: unknown, separator: unknown) =>
    Array.isArray(values) ? values.map(String).join(typeof separator === 'string' ? separator : ' ') : '',
  );
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('basename', (value: unknown) => String(value).split('/').pop() ?? '');
  /** Joins its arguments into one string, e.g. a dynamic partial name: `{{> (concat 'lfs-' step) }}`. */
  hb.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).map(String).join(''));
}
