import { isAlias, isCollection, isPair, type Document, type Node } from 'yaml';

/*
 * What a manifest may cost to load. Real manifests are a few KB, a few levels deep, with a handful of aliases;
 * these bounds are far above that and far below what hurts: the YAML parser runs out of memory on flow
 * collections nested some thousands deep, and aliases can expand exponentially (a "billion laughs" bomb).
 */
export const MAX_MANIFEST_BYTES = 128 * 1024;
export const MAX_DEPTH = 32;
export const MAX_ALIAS_EXPANSIONS = 100;

export interface CostProblem {
  offset: number;
  message: string;
}

/**
 * Checks the text before it is parsed: its size, and how deep flow collections (`[`, `{`) and block indicators
 * on one line (`- - -`) nest, the two ways of nesting deeply in few bytes. Quoted and commented text is skipped.
 */
export function textCost(text: string): CostProblem | undefined {
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_MANIFEST_BYTES) {
    return { offset: 0, message: `the file is ${bytes} bytes; a manifest may have at most ${MAX_MANIFEST_BYTES}` };
  }
  let depth = 0;
  let quote: string | undefined;
  let comment = false;
  let lineStart = true;
  let indicators = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      comment = false;
      lineStart = true;
      indicators = 0;
      continue;
    }
    if (comment) continue;
    if (quote) {
      if (c === quote) quote = undefined;
      continue;
    }
    if (lineStart && (c === '-' || c === '?' || c === ':') && /[ \t]/.test(text[i + 1] ?? '')) {
      if (++indicators > MAX_DEPTH) return { offset: i, message: `nested deeper than ${MAX_DEPTH} levels` };
      continue;
    }
    if (c === ' ' || c === '\t') continue;
    lineStart = false;
    if (c === '#') comment = true;
    else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') {
      if (++depth > MAX_DEPTH) return { offset: i, message: `nested deeper than ${MAX_DEPTH} levels` };
    } else if (c === ']' || c === '}') depth = Math.max(0, depth - 1);
  }
  return undefined;
}

/** The first node nested deeper than MAX_DEPTH, or the first alias when aliases expand too much. */
export function documentCost(doc: Document): CostProblem | undefined {
  return tooDeep(doc.contents, 0);
}

function tooDeep(node: unknown, depth: number): CostProblem | undefined {
  if (!isCollection(node)) return undefined;
  if (depth >= MAX_DEPTH) return { offset: node.range?.[0] ?? 0, message: `nested deeper than ${MAX_DEPTH} levels` };
  for (const item of node.items) {
    const found = isPair(item)
      ? (tooDeep(item.key, depth + 1) ?? tooDeep(item.value, depth + 1))
      : tooDeep(item, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** Where the first alias stands, to locate an alias expansion problem. */
export function firstAlias(node: unknown): Node | undefined {
  if (isAlias(node)) return node;
  if (!isCollection(node)) return undefined;
  for (const item of node.items) {
    const found = isPair(item) ? (firstAlias(item.key) ?? firstAlias(item.value)) : firstAlias(item);
    if (found) return found;
  }
  return undefined;
}
