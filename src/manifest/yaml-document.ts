import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { ManifestProblem } from '../errors.js';
import { documentCost, firstAlias, MAX_ALIAS_EXPANSIONS, textCost } from './yaml-limits.js';

export type FieldPath = readonly PropertyKey[];

/** A parsed YAML file that can say where any field path stands in it. */
export interface YamlFile {
  file: string;
  data: unknown;
  /** Problems found while parsing (syntax, duplicate keys); empty when the YAML is well-formed. */
  syntaxProblems: ManifestProblem[];
  /** The problem located at `path`; a missing field is located at its nearest existing parent. */
  problemAt(path: FieldPath, message: string): ManifestProblem;
}

export function formatFieldPath(path: FieldPath): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/** Parses a manifest, within the bounds of yaml-limits: a file over them is one located problem, not a crash. */
export function parseYamlFile(file: string, text: string): YamlFile {
  const tooCostly = textCost(text);
  const lineCounter = new LineCounter();
  const doc = parseDocument(tooCostly ? '' : text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const position = (offset: number) => lineCounter.linePos(offset);
  const located = (offset: number, message: string): ManifestProblem => {
    const { line, col } = position(offset);
    return { file, line, column: col, field: '', message };
  };
  const problemAt = (path: FieldPath, message: string): ManifestProblem => ({
    ...located(offsetOf(doc, path), message),
    field: formatFieldPath(path),
  });
  if (tooCostly) {
    const { line, column } = textPosition(text, tooCostly.offset);
    const problem = { file, line, column, field: '', message: tooCostly.message };
    return { file, data: undefined, syntaxProblems: [problem], problemAt };
  }
  const syntaxProblems = doc.errors.map((e) => located(e.pos[0], e.message.split('\n')[0] ?? e.message));
  const deep = syntaxProblems.length ? undefined : documentCost(doc);
  if (deep) syntaxProblems.push(located(deep.offset, deep.message));
  if (syntaxProblems.length) return { file, data: undefined, syntaxProblems, problemAt };
  try {
    return { file, data: doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSIONS }), syntaxProblems, problemAt };
  } catch (err) {
    if (!(err instanceof ReferenceError)) throw err; // yaml's error for too many alias expansions
    const alias = firstAlias(doc.contents);
    const message = `aliases expand into more than ${MAX_ALIAS_EXPANSIONS} nodes (an alias bomb?)`;
    return { file, data: undefined, syntaxProblems: [located(alias?.range?.[0] ?? 0, message)], problemAt };
  }
}

/** Line and column of a problem found before parsing (the line counter only knows parsed text). */
function textPosition(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}

/** Start offset of the deepest node along `path`; an unknown key points at the key itself. */
function offsetOf(doc: Document, path: FieldPath): number {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (const key of path) {
    const next = childOf(node, key);
    if (!next) break;
    offset = next.keyOffset ?? rangeStart(next.value) ?? offset;
    node = next.value;
  }
  return offset;
}

/** Map entries are located at their key (the field's name); sequence items at the item. */
function childOf(node: unknown, key: PropertyKey): { value: unknown; keyOffset?: number } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === key);
    if (!pair) return undefined;
    const keyOffset = rangeStart(pair.key);
    return keyOffset === undefined ? { value: pair.value } : { value: pair.value, keyOffset };
  }
  if (node && typeof node === 'object' && 'items' in node && Array.isArray(node.items) && typeof key === 'number') {
    const item: unknown = node.items[key];
    return item === undefined ? undefined : { value: item };
  }
  return undefined;
}

function rangeStart(node: unknown): number | undefined {
  if (node && typeof node === 'object' && 'range' in node && Array.isArray(node.range)) {
    const start: unknown = node.range[0];
    return typeof start === 'number' ? start : undefined;
  }
  return undefined;
}
