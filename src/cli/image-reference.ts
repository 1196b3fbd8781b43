import { InvalidArgumentError } from 'commander';

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const HOST = /^[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*(?::[0-9]+)?$/;

/**
 * What is wrong with an image reference (`[registry/]path[:tag]`, as docker accepts it), in words a user can
 * act on; undefined when it is fine.
 */
export function referenceProblem(reference: string): string | undefined {
  if (reference === '') return 'empty; give name[:tag], e.g. myapp:1';
  if (reference.includes('@')) return 'a digest cannot be a tag; give name[:tag]';
  const slash = reference.lastIndexOf('/');
  const colon = reference.lastIndexOf(':');
  const tag = colon > slash ? reference.slice(colon + 1) : undefined;
  const name = tag === undefined ? reference : reference.slice(0, colon);
  if (tag !== undefined && !TAG.test(tag))
    return `tag "${tag}": up to 128 letters, digits, "_", "." and "-", not starting with "." or "-"`;
  const parts = name.split('/');
  // A first part with a dot, a port or "localhost" is a registry: its case and port are allowed.
  const first = parts[0] ?? '';
  const registry = parts.length > 1 && (/[.:]/.test(first) || first === 'localhost') ? first : undefined;
  if (registry !== undefined && !HOST.test(registry)) return `registry "${registry}" is not a host[:port]`;
  for (const part of registry === undefined ? parts : parts.slice(1)) {
    if (part === '') return 'empty path component (a doubled or trailing "/")';
    if (part !== part.toLowerCase() && COMPONENT.test(part.toLowerCase()))
      return `repository names must be lowercase: "${part}" (try ${suggestion(reference, registry)})`;
    if (!COMPONENT.test(part))
      return `"${part}": path components are lowercase letters and digits, separated by ".", "_", "__" or "-"`;
  }
  return undefined;
}

/** The reference with its repository lowercased, registry and tag kept. */
function suggestion(reference: string, registry: string | undefined): string {
  const colon = reference.lastIndexOf(':');
  const tagStart = colon > reference.lastIndexOf('/') ? colon : reference.length;
  const start = registry === undefined ? 0 : registry.length + 1;
  return reference.slice(0, start) + reference.slice(start, tagStart).toLowerCase() + reference.slice(tagStart);
}

/** commander's parser for an option naming an image to create (`--tag`). */
export function imageReference(value: string): string {
  const problem = referenceProblem(value);
  if (problem) throw new InvalidArgumentError(`not an image name[:tag]: ${problem}`);
  return value;
}
