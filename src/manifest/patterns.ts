import { z } from 'zod';

/*
 * Every manifest value that reaches a Dockerfile, a shell line or Ruby code is matched against one of
 * these patterns. None admits a newline, a quote, a backtick, a semicolon or parentheses, so no value can
 * start a Dockerfile instruction, break out of a shell word or a Ruby string literal.
 */

const re = (pattern: RegExp, what: string) => z.string().regex(pattern, { message: `must be ${what}` });

/** Image and software names: they become path components, tags and Ruby identifiers' strings. */
export const imageName = re(
  /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/,
  'lowercase letters, digits and inner dashes (2-40 chars), e.g. "base"',
);

/** Versions are the prefix's last path component and the image tag (Docker tags admit no '+'). */
export const version = re(
  /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
  'a version: letters, digits, ".", "_", "-" (e.g. "0.2.3" or "2.4.4.0-10")',
);

/** Upstream software versions may carry '+' or '~' (e.g. Debian-style). */
export const upstreamVersion = re(
  /^[A-Za-z0-9][A-Za-z0-9._+~-]{0,63}$/,
  'a version: letters, digits, ".", "_", "+", "~", "-"',
);

export const softwareName = re(/^[a-z0-9][a-z0-9_+.-]{0,63}$/, 'a name: lowercase letters, digits, "_", "+", ".", "-"');

/** A command exposed at `<prefix>/bin/<tool>`. */
export const toolName = re(/^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$/, 'a command name (letters, digits, _ . + -)');

export const debianPackage = re(
  /^[a-z0-9][a-z0-9+.-]{1,99}$/,
  'a Debian package name (lowercase letters, digits, "+", ".", "-")',
);

export const url = re(
  /^https?:\/\/[A-Za-z0-9.-]+(?::[0-9]{1,5})?\/[A-Za-z0-9._~/+%=-]*$/,
  'an http(s) URL without spaces, quotes or query string',
);

/** A registry address as Docker names it in image references: a host name or IPv4 address, and a port. */
export const registry = re(
  /^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?(?::[0-9]{1,5})?$/,
  'a registry address HOST[:PORT], e.g. "registry.example.com:5000"',
);

/** A build cache: a registry address and a repository under it, as in `HOST[:PORT]/REPOSITORY`. */
export const cacheRepository = re(
  /^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?(?::[0-9]{1,5})?\/[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/,
  'a registry and a repository HOST[:PORT]/REPOSITORY, e.g. "registry.example.com:5000/dappdeps-cache"',
);

export const md5 = re(/^[a-f0-9]{32}$/, '32 lowercase hex digits (md5)');
export const sha256 = re(/^[a-f0-9]{64}$/, '64 lowercase hex digits (sha256)');

/**
 * One argument of a configure/make command line. `$NAME`/`${NAME}` refer to build variables; `{prefix}` is
 * replaced by the image's prefix when rendering.
 */
export const shellWord = re(
  /^(?:[A-Za-z0-9_.,+=:/@%^-]|\$[A-Z_][A-Z0-9_]*|\$\{[A-Z_][A-Z0-9_]*\}|\{prefix\})+$/,
  'one shell word: letters, digits, _ . , + = : / @ % ^ -, $VAR and {prefix} (no spaces, quotes or shell syntax)',
);

export const envName = re(/^[A-Z_][A-Z0-9_]{0,63}$/, 'an environment variable name (A-Z, 0-9, _)');

/** Environment values reach Dockerfiles, shell and Ruby as quoted literals; still keep them plain. */
export const envValue = re(
  /^(?:[A-Za-z0-9_.,+=:/@%^ -]|\{prefix\}){0,512}$/,
  'plain text: letters, digits, spaces, _ . , + = : / @ % ^ - and {prefix}',
);

/** A file of the seal kit (templates/binary/seal/), named without a folder. */
export const kitFile = re(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'a file name of the seal kit, e.g. "sudo-root.py"');

/** A path relative to an image's prefix: no leading '/', no '..' segment. */
export const relativePath = re(
  /^(?!\/)(?!(?:.*\/)?\.\.(?:\/|$))[A-Za-z0-9_.+@/-]{1,255}$/,
  'a relative path inside the prefix (no leading "/", no "..")',
);

/**
 * A path or glob relative to the prefix for the sealing step (`rm -rf <prefix>/<glob>`); `{triplet}` is replaced
 * by the GNU multiarch triplet (e.g. x86_64-linux-gnu) so manifests don't hard-code the architecture. No
 * segment may be able to match `..` (`..`, `.?`, `??`, `.*`): only `*` and `**` are all-wildcard segments,
 * and the shell never matches `..` with those.
 */
export const sealGlob = re(
  /^(?!\/)(?!(?:[^/]*\/)*(?!\*\*?(?:\/|$))[.?*]+(?:\/|$))(?:[A-Za-z0-9_.+@/*?-]|\{triplet\}){1,255}$/,
  'a path or glob relative to the prefix (letters, digits, _ . + @ / * ? -, {triplet}; no leading "/", no segment that could match "..")',
);

/**
 * A build-stage file to copy into the prefix, e.g. /usr/lib/locale/C.utf8: under the folders packages install
 * into, never the kernel's (/proc, /sys, /dev), the sealing scripts' or another prefix.
 */
export const stagePath = re(
  /^\/(?:usr|etc|opt|var\/lib|lib|lib64|bin|sbin)\/(?!(?:.*\/)?\.\.?(?:\/|$))(?:[A-Za-z0-9_.+@/-]|\{triplet\}){1,240}$/,
  'an absolute path under /usr, /etc, /opt, /var/lib, /lib, /lib64, /bin or /sbin in the build stage (letters, digits, _ . + @ / -, {triplet}; no "." or ".." segment)',
);

/**
 * Launcher environment values: plain, with `{prefix}`, `{prefix:<image>}` and `{triplet}` replaced when
 * rendering; no `..` segment (in a path or a `:` list), so `{prefix}/../..` cannot climb out of the prefix.
 */
export const launcherValue = re(
  /^(?!(?:.*[/:=])?\.\.(?:[/:]|$))(?:[A-Za-z0-9_./:@+,=-]|\{prefix(?::[a-z][a-z0-9-]*)?\}|\{triplet\}){0,255}$/,
  'letters, digits, _ . / : @ + , = - and {prefix}, {prefix:<run-time dependency>}, {triplet} (no spaces, quotes or ".." segments)',
);

/** Variables a launcher may set: not the loader's (LD_*), which would undo the sealing for the tool and its children. */
export const launcherEnvName = re(
  /^(?!LD_)[A-Z_][A-Z0-9_]{0,63}$/,
  "an environment variable name (A-Z, 0-9, _), not one of the loader's LD_ variables",
);

/** An absolute path (e.g. the prefix root); no '..' segment. */
export const absolutePath = re(
  /^\/(?!(?:.*\/)?\.\.(?:\/|$))[A-Za-z0-9_.+@/-]{0,255}$/,
  'an absolute path without ".." segments',
);

/** Docker image references for build bases, e.g. "debian:bookworm". */
export const imageRef = re(
  /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/,
  'an image reference with a tag, e.g. "debian:bookworm"',
);

/** A gem version requirement such as "~> 5.4". */
export const gemRequirement = re(/^(?:~>|>=|<=|=|>|<)? ?[0-9][0-9A-Za-z.]*$/, 'a gem requirement, e.g. "~> 5.4"');

/** Licence identifiers as Omnibus records them. */
export const license = re(/^[A-Za-z0-9][A-Za-z0-9.+-]{0,63}$/, 'a licence identifier, e.g. "GPL-3.0"');

/** Free text for descriptions and labels: one line, printable, no quotes or backslashes. */
export const text = re(/^[^\n\r"'`\\$]{1,300}$/, 'one line of text without quotes, backslashes or "$"');

/** A Debian suite, by its codename (e.g. "trixie"): a lock file's and a volume container's name part. */
export const suiteName = re(/^[a-z][a-z0-9]{1,19}$/, 'a Debian suite codename, e.g. "trixie"');

/** A suite variable's name, replaced where a manifest says `{name}`; not one of the render-time placeholders. */
export const suiteVarName = re(
  /^(?!(?:prefix|triplet)$)[a-z][a-z0-9]{0,19}$/,
  'a variable name (lowercase letters and digits), not "prefix" or "triplet"',
);

/** A suite variable's value: one plain word, so it cannot change what a pattern admits where it lands. */
export const suiteVarValue = re(/^[A-Za-z0-9][A-Za-z0-9.+~-]{0,39}$/, 'one word: letters, digits, . + ~ -');
