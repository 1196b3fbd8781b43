import type { z } from 'zod';
import type { FieldPath } from './yaml-document.js';

/** The zod definition fields this walk reads (zod 4's `_zod.def`). */
interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  options?: readonly z.ZodType[];
  valueType?: z.ZodType;
  in?: z.ZodType;
}

const defOf = (schema: z.ZodType): Def => schema._zod.def as Def;

/** The schemas a value at `schema` may be, wrappers (optional, default, pipe…) and unions opened. */
function alternatives(schema: z.ZodType): z.ZodType[] {
  const def = defOf(schema);
  if (def.innerType) return alternatives(def.innerType);
  if (def.type === 'pipe' && def.in) return alternatives(def.in);
  if (def.type === 'union' && def.options) return def.options.flatMap(alternatives);
  return [schema];
}

/** The fields an object at `path` of `schema` may have (empty when the path reaches no object). */
export function knownKeys(schema: z.ZodType, path: FieldPath): string[] {
  let here = alternatives(schema);
  for (const step of path) {
    here = here.flatMap((s) => {
      const def = defOf(s);
      if (typeof step === 'number') return def.element ? alternatives(def.element) : [];
      if (typeof step === 'symbol') return [];
      if (def.shape) return def.shape[step] ? alternatives(def.shape[step]) : [];
      return def.valueType ? alternatives(def.valueType) : [];
    });
  }
  return [...new Set(here.flatMap((s) => Object.keys(defOf(s).shape ?? {})))];
}

/** Edit distance (insertions, deletions, substitutions, adjacent swaps), for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) (d[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = d[i] as number[];
    const prev = d[i - 1] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        row[j] = Math.min(row[j] ?? 0, ((d[i - 2] as number[])[j - 2] ?? 0) + 1);
    }
  }
  return (d[a.length] as number[])[b.length] ?? 0;
}

/** The candidate closest to `word`, when it is close enough to be a typo of it. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: { key: string; d: number } | undefined;
  for (const key of candidates) {
    const d = distance(word.toLowerCase(), key.toLowerCase());
    if (d <= Math.max(1, Math.floor(key.length / 3)) && (!best || d < best.d)) best = { key, d };
  }
  return best?.key;
}
