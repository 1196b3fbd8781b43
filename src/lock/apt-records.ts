/**
 * Readers of what apt and dpkg print in the base image (pure: unit-tested without Docker). The script that
 * prints them (lock-script.ts) marks each section with a line `@@<section> [<image>]`.
 */

export interface PackageRecord {
  name: string;
  version: string;
  architecture: string;
}

/** A Packages-index stanza as `apt-cache show` prints it: the fields the lock keeps. */
export interface IndexRecord extends PackageRecord {
  sha256?: string;
  filename?: string;
}

export interface LockScriptOutput {
  /** The base image's installed packages (`dpkg-query -W`). */
  base: PackageRecord[];
  /** Per image, what `apt-get install -s` would install (new, upgraded or downgraded). */
  installs: Map<string, PackageRecord[]>;
  /** `apt-cache show` stanzas of the exact versions asked for. */
  exact: IndexRecord[];
  /** `apt-cache show` stanzas of the candidates (the versions apt would install today). */
  candidates: IndexRecord[];
}

/** `Inst libc6 [2.36-9] (2.36-9+deb12u14 Debian:12.15/oldstable [amd64])`: the name, new version and arch. */
export function parseInstLine(line: string): PackageRecord | undefined {
  const m = /^Inst (\S+)(?: \[[^\]]*\])? \((\S+) .*\[([a-z0-9-]+)\]\)/.exec(line);
  return m ? { name: stripArch(m[1] ?? ''), version: m[2] ?? '', architecture: m[3] ?? '' } : undefined;
}

/** `name<TAB>version<TAB>arch` lines of `dpkg-query -W`. */
export function parseDpkgQuery(lines: readonly string[]): PackageRecord[] {
  return lines
    .map((l) => l.split('\t'))
    .filter((f) => f.length === 3 && f[0])
    .map(([name, version, architecture]) => ({
      name: stripArch(name ?? ''),
      version: version ?? '',
      architecture: architecture ?? '',
    }));
}

/** Stanzas separated by blank lines; continuation lines (a leading blank) belong to the field before. */
export function parseStanzas(lines: readonly string[]): IndexRecord[] {
  const records: IndexRecord[] = [];
  let fields = new Map<string, string>();
  const flush = () => {
    const name = fields.get('Package');
    const version = fields.get('Version');
    const architecture = fields.get('Architecture');
    if (name && version && architecture) {
      const sha256 = fields.get('SHA256');
      const filename = fields.get('Filename');
      records.push({ name, version, architecture, ...(sha256 ? { sha256 } : {}), ...(filename ? { filename } : {}) });
    }
    fields = new Map();
  };
  for (const line of lines) {
    if (line.trim() === '') flush();
    else if (!/^\s/.test(line)) {
      const colon = line.indexOf(':');
      if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
    }
  }
  flush();
  return records;
}

/** Splits the script's output at its `@@section [image]` markers and reads each section. */
export function parseLockScriptOutput(text: string): LockScriptOutput {
  const sections: { kind: string; arg: string; lines: string[] }[] = [];
  for (const line of text.split('\n')) {
    const marker = /^@@(\S+)(?: (\S+))?$/.exec(line);
    if (marker) sections.push({ kind: marker[1] ?? '', arg: marker[2] ?? '', lines: [] });
    else sections.at(-1)?.lines.push(line);
  }
  const out: LockScriptOutput = { base: [], installs: new Map(), exact: [], candidates: [] };
  for (const s of sections) {
    if (s.kind === 'base') out.base.push(...parseDpkgQuery(s.lines));
    else if (s.kind === 'install')
      out.installs.set(
        s.arg,
        s.lines.map(parseInstLine).filter((r): r is PackageRecord => r !== undefined),
      );
    else if (s.kind === 'exact') out.exact.push(...parseStanzas(s.lines));
    else if (s.kind === 'candidate') out.candidates.push(...parseStanzas(s.lines));
  }
  return out;
}

/** `libfoo:amd64` as dpkg names multi-arch packages: the lock keys by the bare name (one architecture). */
function stripArch(name: string): string {
  return name.replace(/:[a-z0-9-]+$/, '');
}
