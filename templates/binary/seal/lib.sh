# shellcheck shell=bash
# Shared by collect.sh and seal.sh (sourced, not executed).
# shellcheck disable=SC2034 # conf_load's variables are read by the scripts that source this file
#
# Config file ("seal.conf"): one directive per line, fields separated by blanks,
# blank lines and lines starting with '#' ignored. "@P@" in any value is replaced
# by the prefix. Values are restricted to [A-Za-z0-9_./:@+,=-] (no quotes/spaces).
#
#   prefix   <abs-dir>                 the image prefix P (required, first)
#   package  <deb>                     collect: copy the files of installed package <deb>
#   path     <abs-path>                collect: copy a build-stage file/dir (not owned by a
#                                      package, e.g. generated CA bundle, C.utf8 locale)
#   drop     <glob>                    seal: rm -rf P/<glob> (glob relative to P)
#   lib-only <deb>                     seal: when <deb> owns a closure library, copy only
#                                      the library files, not the whole package
#   cc       <abs-path>                seal: gcc able to link -static (for launchers)
#   launcher <rel-path>                seal: P/<rel-path> becomes the static launcher; tool
#                                      name = basename(<rel-path>)
#   env      <tool> <op> <VAR> [<val>] seal: launcher environment, op is one of
#                                      set | default | prepend | append | unset |
#                                      default-dir (default + mkdir -p, mode 1777),
#                                      followed by ",private" (recorded, given back to
#                                      children by a sealed Python) and/or
#                                      ",unless=<abs-path>" (skipped where it exists)
#   kit      <file> <rel-path>         seal: install the seal kit's <file> as the program
#                                      P/<rel-path> (mode 0755, shebang pointed into P)
#   link     <rel-path> <abs-path>     seal: P/<rel-path> becomes a symlink to <abs-path> (a program of P or
#                                      of a run-time dependency's prefix, checked by the audit)
#   warm     <base64 JSON argv>        seal: a smoke command; the sealed Python compiles only
#                                      the modules these import (warm-pyc.py)
#
# Debian paths map into P as /usr/X -> P/X and /X -> P/X.

set -euo pipefail
export LC_ALL=C
# The seal kit's folder (its Perl helpers).
DD_KIT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Docs, man pages, info, lintian overrides, bug reports, translations: never shipped.
DD_EXCLUDE='^/usr/share/(doc|doc-base|man|info|lintian|bug|linda|menu|gtk-doc|help|locale|bash-completion|zsh|fish|apport)(/|$)|^/etc/(cron\.|logrotate\.d|init\.d|systemd|bash_completion\.d)|^/lib/systemd|^/usr/lib/systemd'
# merged-/usr aliases: directory symlinks in the build stage, never copied as such
DD_MERGED_ALIASES=' /bin /sbin /lib /lib32 /lib64 /libx32 /usr '

die() { printf 'dappdeps-seal: error: %s\n' "$*" >&2; exit 1; }
note() { printf 'dappdeps-seal: %s\n' "$*" >&2; }

conf_load() {
  local file=$1 key rest
  [ -r "$file" ] || die "config $file not readable"
  P='' CC='' PACKAGES=() PATHS=() DROPS=() LIBONLY=() LAUNCHERS=() ENVS=() KITS=() LINKS=() WARMS=()
  while read -r key rest || [ -n "$key" ]; do
    case "$key" in ''|'#'*) continue ;; esac
    rest=${rest//@P@/$P}
    if [ "$key" != drop ]; then
      [[ "$rest" =~ ^[A-Za-z0-9_./:@+,=\ -]*$ ]] || die "unsafe characters in: $key $rest"
    fi
    case "$key" in
      prefix)   P=$rest; [[ "$P" == /* && "$P" != */ ]] || die "prefix must be absolute, no trailing /" ;;
      package)  PACKAGES+=("$rest") ;;
      path)     PATHS+=("$rest") ;;
      drop)     DROPS+=("$rest") ;;
      lib-only) LIBONLY+=("$rest") ;;
      cc)       CC=$rest ;;
      launcher) LAUNCHERS+=("$rest") ;;
      env)      ENVS+=("$rest") ;;
      kit)      KITS+=("$rest") ;;
      link)     LINKS+=("$rest") ;;
      warm)     WARMS+=("$rest") ;; # base64 JSON argv, read by warm-pyc.py
      *) die "unknown directive '$key' in $file" ;;
    esac
  done <"$file"
  [ -n "$P" ] || die "no 'prefix' in $file"
}

# Debian absolute path -> path relative to P ("/usr/bin/x" -> "bin/x", "/etc/x" -> "etc/x"), into the variable
# named $1: no subshell, since a fork is what a loaded machine (and qemu-user emulation) makes slowest.
map_rel_to() { local _p=${2#/}; case "$_p" in usr/*) _p=${_p#usr/} ;; usr) _p=. ;; esac; printf -v "$1" '%s' "$_p"; }

# Read absolute Debian paths on stdin, copy files/symlinks into P with the mapping (map-paths.pl picks them).
# One tar stream keeps hardlinks (git's builtins) as hardlinks.
copy_paths() {
  local list
  list=$(mktemp)
  DD_EXCLUDE=$DD_EXCLUDE DD_MERGED_ALIASES=$DD_MERGED_ALIASES perl "$DD_KIT/map-paths.pl" >"$list" ||
    die "map-paths.pl failed"
  if [ -s "$list" ]; then
    mkdir -p "$P"
    tar -C / --no-recursion --verbatim-files-from -T "$list" -cf - |
      tar -C "$P" -xpf - --transform='s,^usr/,,rhS'
  fi
  rm -f "$list"
}

# Files of installed packages (absolute paths; diversion notes filtered out).
pkg_files() { dpkg -L "$@" | grep '^/' | grep -v '^/\.$' || true; }

in_list() { local x=$1; shift; local y; for y in "$@"; do [ "$x" = "$y" ] && return 0; done; return 1; }
