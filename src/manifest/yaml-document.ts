import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { ManifestProblem } from '../errors.js';

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

export function parseYamlFile(file: string, text: string): YamlFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const position = (offset: number) => lineCounter.linePos(offset);
  const syntaxProblems = doc.errors.map((e) => {
    const { line, col } = position(e.pos[0]);
    return { file, line, column: col, field: '', message: e.message.split('\n')[0] ?? e.message };
  });
  const problemAt = (path: FieldPath, message: string): ManifestProblem => {
    const { line, col } = position(offsetOf(doc, path));
    return { file, line, column: col, field: formatFieldPath(path), message };
  };
  return { file, data: syntaxProblems.length ? undefined : doc.toJS(), syntaxProblems, problemAt };
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
