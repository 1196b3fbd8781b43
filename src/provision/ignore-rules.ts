/**
 * A `.dappdepsignore` file: the paths of the context not sent, in .dockerignore's and .gitignore's syntax
 * (`#` comments, `*`, `?`, `**`, a leading `/` anchors to the context, a trailing `/` matches folders only,
 * `!` sends again what an earlier line left out). The last matching line decides.
 */
export interface IgnoreRule {
  negate: boolean;
  dirOnly: boolean;
  pattern: RegExp;
}

export function parseIgnore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const raw of text.split('\n')) {
    let line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    if (negate) line = line.slice(1);
    const dirOnly = line.endsWith('/');
    line = line.replace(/\/+$/, '');
    // Without a slash inside, a pattern matches at any depth (as in .gitignore).
    const anchored = line.startsWith('/') || line.includes('/');
    line = line.replace(/^\/+/, '');
    if (line === '') continue;
    rules.push({ negate, dirOnly, pattern: new RegExp(`^${anchored ? '' : '(?:.*/)?'}${globSource(line)}$`) });
  }
  return rules;
}

function globSource(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? '';
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      out += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return out;
}

/** Whether `rel` (relative to the context, `/`-separated) is left out. */
export function isIgnored(rules: readonly IgnoreRule[], rel: string, isDir: boolean): boolean {
  let ignored = false;
  for (const rule of rules) {
    if (rule.dirOnly && !isDir) continue;
    if (rule.pattern.test(rel)) ignored = !rule.negate;
  }
  return ignored;
}
