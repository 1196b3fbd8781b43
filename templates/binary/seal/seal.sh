#!/bin/bash
# Make the prefix P self-contained: after this, nothing under P loads, execs or
# links anything outside P (see lib.sh for the config format).
# Usage: seal.sh <seal.conf>
set -euo pipefail
SEAL_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$SEAL_DIR/lib.sh"

# Builtins only, no subshell or program per file: a fork costs ~0.3 s under qemu-user emulation.
is_elf() { local magic=''; IFS= read -r -n 4 -d '' magic 2>/dev/null <"$1"; [ "$magic" = $'\177ELF' ]; }

# Regular ELF files under P; grep pre-filters so we do not fork per file.
list_elfs() {
  find "$P" -type f -size +52c -print0 |
    xargs -0 -r grep -laF --null "$(printf '\177ELF')" 2>/dev/null |
    while IFS= read -r -d '' f; do is_elf "$f" && printf '%s\n' "$f"; done || true
}

# What ld.so resolves for an ELF file: sets ELF_INTERP and ELF_NEEDED; fails for a
# static file or one with nothing to resolve.
elf_deps() {
  ELF_INTERP=$(patchelf --print-interpreter "$1" 2>/dev/null) || ELF_INTERP=''
  ELF_NEEDED=$(patchelf --print-needed "$1" 2>/dev/null) || ELF_NEEDED=''
  [ -n "$ELF_NEEDED$ELF_INTERP" ]
}

# The dynamic ELF files that are not one of P's loaders.
list_patchable_elfs() {
  local f ld loader
  while IFS= read -r f; do
    loader=0
    for ld in "${!LD_REAL[@]}"; do [ "$f" -ef "$ld" ] && loader=1; done # same file, without readlink -f
    [ "$loader" = 1 ] || printf '%s\n' "$f"
  done < <(list_elfs)
}

apply_drops() {
  local g f
  for g in "${DROPS[@]}"; do
    for f in "$P"/$g; do rm -rf -- "$f"; done
  done
}

# Owning package of every library path dpkg lists, read once from dpkg's own file lists: a `dpkg -S` per
# library reads the whole database each time (most of the closure's time on a busy machine).
load_lib_owners() {
  local path pkg
  while IFS=$'\t' read -r path pkg; do
    [ -n "${LIB_OWNER[$path]:-}" ] || LIB_OWNER[$path]=$pkg
  done < <(awk '/\.so/ {p = FILENAME; sub(/.*\//, "", p); sub(/\.list$/, "", p); sub(/:.*/, "", p); print $0 "\t" p}' \
    /var/lib/dpkg/info/*.list)
}

# Owning package of a library path. Merged /usr makes dpkg record either spelling.
owner_of() {
  local f=$1 c
  for c in "$f" "$(readlink -f "$f")" "/usr$f" "${f#/usr}"; do
    [ -n "${LIB_OWNER[$c]:-}" ] && { printf '%s' "${LIB_OWNER[$c]}"; return 0; }
  done
  return 1
}

add_rpath_dir() {
  [ -n "${RPATH_SEEN[$1]:-}" ] && return
  RPATH_SEEN[$1]=1
  RPATH_DIRS+=("$1")
}

# Copy one library the ELF file needs into P, with its whole owning package
# (dlopen()ed plugins come along) unless that package is lib-only. Sets ADDED=1
# when P grew.
take_library() {
  local lib=$1 owner
  [ -n "${LIB_SEEN[$lib]:-}" ] && return
  LIB_SEEN[$lib]=1
  owner=$(owner_of "$lib") || owner=""
  owner=${owner%%:*}
  if [ -n "$owner" ] && ! in_list "$owner" "${LIBONLY[@]}" && [ -z "${PKG_DONE[$owner]:-}" ]; then
    PKG_DONE[$owner]=1
    note "closure: $lib -> whole package $owner"
    pkg_files "$owner" | copy_paths
    apply_drops
    ADDED=1
  fi
  # the library itself (and its symlink chain), also when its owner is lib-only/unknown
  if [ ! -e "$P/$(map_rel "$lib")" ]; then
    printf '%s\n%s\n' "$lib" "$(readlink -f "$lib")" | copy_paths
    ADDED=1
  fi
}

# One ELF file's libraries and interpreter, as the build stage's ldd resolves them.
take_elf_closure() {
  local f=$1 out kind lib
  if [ -n "$ELF_INTERP" ] && [[ "$ELF_INTERP" != "$P"/* ]] && ! in_list "$ELF_INTERP" "${INTERP_REL[@]}"; then
    INTERP_REL+=("$ELF_INTERP")
  fi
  out=$(ldd "$f" 2>&1) || true
  if grep -q 'not found' <<<"$out"; then
    die "$f: library not found in the build stage: $(grep 'not found' <<<"$out" | tr -s ' \t' ' ')"
  fi
  while read -r kind lib; do
    [ -n "$lib" ] || continue
    if [[ "$lib" == "$P"/* ]]; then
      [ "$kind" = lib ] && add_rpath_dir "$(dirname "$lib")"
      continue
    fi
    [ "$kind" = lib ] && add_rpath_dir "$P/$(map_rel "$(dirname "$lib")")"
    take_library "$lib"
  done < <(awk '/=> \// {print "lib", $3; next} /^[ \t]*\// {print "interp", $1}' <<<"$out")
}

# 1. Shared-library closure, until a pass adds nothing. ldd misses dlopen()ed
#    plugins (OpenSSL providers, NSS, gconv, Python extension deps), so the whole
#    owning package comes along.
collect_closure() {
  local pkg f elfs
  for pkg in "${PACKAGES[@]}"; do PKG_DONE[$pkg]=1; done
  load_lib_owners
  apply_drops
  while :; do
    ADDED=0
    mapfile -t elfs < <(list_elfs) # snapshot: the loop body adds files to P
    for f in "${elfs[@]}"; do
      [ -e "$f" ] || continue # removed by a drop meanwhile
      [ -n "${ELF_DONE[$f]:-}" ] && continue
      ELF_DONE[$f]=1
      elf_deps "$f" && take_elf_closure "$f"
    done
    [ "$ADDED" = 0 ] && break
  done
  apply_drops
  [ "${#INTERP_REL[@]}" -gt 0 ] || note "no dynamic ELF files: nothing to patch"
}

# The RPATH every patched ELF gets: the multiarch dir first, then P/lib, then
# private dirs (e.g. lib/<triplet>/ceph).
order_rpath() {
  local d ordered=()
  for d in "${RPATH_DIRS[@]}"; do
    [[ "$d" == "$P"/lib/*-*-* && "$d" != "$P"/lib/*-*-*/* ]] && ordered+=("$d")
  done
  in_list "$P/lib" "${RPATH_DIRS[@]}" && ordered+=("$P/lib")
  for d in "${RPATH_DIRS[@]}"; do in_list "$d" "${ordered[@]}" || ordered+=("$d"); done
  RPATH=$(
    IFS=:
    printf '%s' "${ordered[*]}"
  )
  note "rpath: $RPATH"
}

# 2. Symlinks: every link (absolute, or relative crossing /usr) points into P, relative.
relink_symlinks() {
  local l t rel reldir abs new
  while IFS= read -r l; do
    t=$(readlink "$l")
    rel=${l#"$P"/}
    reldir=$(dirname "$rel")
    if [[ "$t" == /* ]]; then abs=$t; else abs=$(realpath -m -s "/$reldir/$t"); fi
    [[ "$abs" == "$P"/* || "$abs" == "$P" ]] && abs=/${abs#"$P"/} # already P-absolute
    new=$(realpath -m -s --relative-to="$P/$reldir" "$P/$(map_rel "$abs")")
    [ "$new" = "$t" ] || ln -sfn -- "$new" "$l"
  done < <(find "$P" -type l)
}

# Overwrite a compiled-in path in place (same length, NUL-padded) with one that
# exists nowhere: "/.dapp/.none" where it fits, else "/.none" or "/.n" (ld.so
# asserts that its system dirs start with '/', so they cannot simply become "").
overwrite_str() { # <file> <offset> <old length>
  local r
  if [ "$3" -ge 12 ]; then r=/.dapp/.none; elif [ "$3" -ge 6 ]; then r=/.none; else r=/.n; fi
  { printf '%s' "$r"; head -c $(($3 - ${#r})) /dev/zero; } |
    dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

patch_loader() {
  local ld=$1 n=0 m=0 off s s1 len
  while IFS=: read -r off s; do
    overwrite_str "$ld" "$off" "${#s}"
    n=$((n + 1))
  done < <(grep -obUaP '(?<=\x00)/etc/ld\.so\.(cache|preload)(?=\x00)' "$ld" || true)
  [ "$n" -ge 2 ] || die "$ld: /etc/ld.so.cache|preload strings not found ($n)"
  # system search dirs: "/lib/<triplet>/\0/usr/lib/<triplet>/\0/lib/\0/usr/lib/\0" (one block per table)
  while IFS=: read -r off s1; do
    for len in ${#s1} $((${#s1} + 4)) 5 9; do
      overwrite_str "$ld" "$off" "$len"
      off=$((off + len + 1))
      m=$((m + 1))
    done
  done < <(grep -obUaP '(/lib/[a-z0-9_-]+/)(?=\x00/usr\1\x00/lib/\x00/usr/lib/\x00)' "$ld" || true)
  [ "$m" -ge 4 ] || die "$ld: system search dirs not found"
  "$ld" --help >/dev/null || die "$ld: broken after patching"
  note "patched loader $ld (cache/preload: $n strings, system dirs: $m strings)"
}

# 3. The loaders: P's own copy must never read the target image's ld.so.cache or
#    ld.so.preload, nor fall back to its /lib, /usr/lib.
patch_loaders() {
  local i ld
  for i in "${INTERP_REL[@]}"; do
    ld="$P/$(map_rel "$i")"
    [ -e "$ld" ] || die "interpreter $i not collected into P"
    LD_REAL[$(readlink -f "$ld")]=1
  done
  for ld in "${!LD_REAL[@]}"; do patch_loader "$ld"; done
}

# 4. Interpreter + RPATH of every dynamic ELF. Hardlinks are visited once per name:
#    if collect.sh ran in an earlier RUN step, overlayfs copy-up has split them.
patch_elfs() {
  local f n only_ld args
  while IFS= read -r f; do
    elf_deps "$f" || continue
    args=()
    if [ -n "$ELF_INTERP" ] && [[ "$ELF_INTERP" != "$P"/* ]]; then
      args+=(--set-interpreter "$P/$(map_rel "$ELF_INTERP")")
    fi
    # glibc's own libraries only need the (already loaded) loader: leave them untouched
    only_ld=1
    for n in $ELF_NEEDED; do in_list "$n" "${INTERP_REL[@]##*/}" || only_ld=0; done
    if [ "$only_ld" = 0 ] && [ "$(patchelf --print-rpath "$f" 2>/dev/null)" != "$RPATH" ]; then
      args+=(--force-rpath --set-rpath "$RPATH")
    fi
    [ "${#args[@]}" -eq 0 ] || patchelf "${args[@]}" "$f"
  done < <(list_patchable_elfs)
}

# Rewrite one script's "#!" line to an interpreter in P; "#!/usr/bin/env x" too,
# since a scratch image has no /usr/bin/env. Fails when P has no such interpreter.
reshebang() {
  local f=$1 line spec prog rest name target d tmp
  line=$(head -n1 "$f" | tr -d '\r')
  spec=${line#\#!}
  spec=${spec#"${spec%%[! ]*}"}
  prog=${spec%% *}
  rest=${spec#"$prog"}
  [[ "$prog" == "$P"/* ]] && return 0
  if [ "$prog" = /usr/bin/env ] || [ "$prog" = /bin/env ]; then
    rest=${rest#"${rest%%[! ]*}"}
    name=${rest%% *}
    rest=${rest#"$name"}
  else
    name=${prog##*/}
  fi
  target=''
  for d in bin sbin; do [ -e "$P/$d/$name" ] && { target="$P/$d/$name"; break; }; done
  if [ -z "$target" ]; then
    note "warning: shebang interpreter not in P: ${f#"$P"/}: $line"
    return 0
  fi
  tmp=$(mktemp)
  { printf '#!%s%s\n' "$target" "$rest"; tail -n +2 "$f"; } >"$tmp"
  cat "$tmp" >"$f" # keeps inode, mode, hardlinks
  rm -f "$tmp"
}

# 5a. Programs of the seal kit that the config asks for (e.g. the ansible image's
#     sudo for root, sudo-root.py), installed before the shebangs are pointed into P.
install_kit_files() {
  local e file rel
  for e in "${KITS[@]}"; do
    read -r file rel <<<"$e"
    [[ "$file" =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ && -f "$SEAL_DIR/$file" ]] || die "kit: no file '$file' in the seal kit"
    [[ -n "$rel" && "$rel" != /* && "/$rel/" != */../* ]] || die "kit: '$rel' is not a path relative to P"
    if [ -e "$P/$rel" ] || [ -L "$P/$rel" ]; then die "kit: P/$rel exists already"; fi
    install -D -m 0755 "$SEAL_DIR/$file" "$P/$rel"
    note "kit: $file -> ${rel}"
  done
}

# 5b. Shebangs of executable scripts: interpreters from P.
fix_shebangs() {
  local f
  while IFS= read -r f; do
    is_elf "$f" && continue
    [ "$(head -c2 "$f")" = '#!' ] || continue
    reshebang "$f"
  done < <(find "$P" -type f -perm /111)
}

# The launcher table's line for one config "env" directive, whose op word is
# "<op>[,private][,unless=<abs-path>]" (see launcher.c).
launcher_env_line() { # <op word> <VAR> <value>
  local op private=0 unless='' m mod
  IFS=, read -r -a m <<<"$1"
  case "${m[0]}" in
    set) op=DD_SET ;; default) op=DD_DEFAULT ;; prepend) op=DD_PREPEND ;; append) op=DD_APPEND ;;
    unset) op=DD_UNSET ;; default-dir) op=DD_DEFAULT_DIR ;; *) die "env: unknown op ${m[0]}" ;;
  esac
  for mod in "${m[@]:1}"; do
    case "$mod" in
      private) private=1 ;;
      unless=/*) unless=${mod#unless=} ;;
      *) die "env: unknown modifier $mod" ;;
    esac
  done
  [[ "$2" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "env: bad variable name $2"
  printf 'DD_ENV(%s, %s, "%s", "%s", "%s")\n' "$op" "$private" "$2" "$3" "$unless"
}

# Turn P/<rel> into a launcher name, moving the real program aside; prints the real path.
set_aside() {
  local rel=$1 file="$P/$1" real
  if [ -L "$file" ]; then
    real=$(readlink -f "$file")
    rm -f "$file"
  elif [ -f "$file" ]; then
    real="$P/libexec/dappdeps/real/${rel##*/}"
    mv "$file" "$real"
  else
    die "launcher target $file does not exist"
  fi
  [[ "$real" == "$P"/* && -x "$real" ]] || die "launcher $rel: real program $real not an executable in P"
  printf '%s' "$real"
}

# 6. Static launchers: one binary per image, hardlinked as each tool, picks the
#    tool by the name it was executed as and sets only that tool's environment.
build_launchers() {
  [ "${#LAUNCHERS[@]}" -gt 0 ] || return 0
  [ -n "$CC" ] || die "'launcher' needs a 'cc' directive (the toolchain's gcc)"
  local build hdr rel name real e tool op var val
  build=$(mktemp -d)
  hdr="$build/launcher-config.h"
  printf '/* generated by seal.sh: DD_TOOL(name, real) then its DD_ENV(op, private, var, value, unless) */\n' >"$hdr"
  mkdir -p "$P/libexec/dappdeps/real"
  for rel in "${LAUNCHERS[@]}"; do
    name=${rel##*/}
    real=$(set_aside "$rel")
    printf 'DD_TOOL("%s", "%s")\n' "$name" "$real" >>"$hdr"
    for e in "${ENVS[@]}"; do
      read -r tool op var val <<<"$e"
      [ "$tool" = "$name" ] && launcher_env_line "$op" "$var" "${val:-}" >>"$hdr"
    done
  done
  for e in "${ENVS[@]}"; do
    read -r tool _ <<<"$e"
    in_list "$tool" "${LAUNCHERS[@]##*/}" || die "env $e: no launcher named $tool"
  done
  "$CC" -static -Os -s -Wall -Werror -I"$build" -o "$P/libexec/dappdeps/launcher" "$SEAL_DIR/launcher.c"
  for rel in "${LAUNCHERS[@]}"; do ln -f "$P/libexec/dappdeps/launcher" "$P/$rel"; done
  cp "$hdr" "$P/libexec/dappdeps/launcher-config.h" # kept for audits/debugging
  rm -rf "$build"
  note "launchers: ${LAUNCHERS[*]}"
}

# 7. Python: where a launcher has private variables, the sealed Python's
#    sitecustomize gives the programs it starts their values from before (see
#    child-env.py). Bytecode is precompiled so nothing writes into the read-only
#    volume at run time; unchecked-hash pycs stay valid whatever mtimes the layers
#    end up with. Ansible modules are not: they are read as source and shipped to
#    the target, never imported where they lie; nor the collections' module_utils,
#    which almost only modules import (a few lookups compile theirs in memory).
prepare_python() {
  [ -x "$P/bin/python3" ] || return 0
  local site pydirs=("$P"/lib/python3 "$P"/lib/python3.*)
  if grep -q '^DD_ENV([A-Z_]*, 1,' "$P/libexec/dappdeps/launcher-config.h" 2>/dev/null; then
    site=$("$P/bin/python3" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')/sitecustomize.py
    rm -f "$site"
    cp "$SEAL_DIR/child-env.py" "$site"
    note "python: $site gives the programs it starts the environment from before the launchers"
  fi
  "$P/bin/python3" -m compileall -q -j0 --invalidation-mode unchecked-hash \
    -x '/(ansible/modules|ansible_collections/[^/]+/[^/]+/plugins/(modules|module_utils))/' "${pydirs[@]}" >/dev/null 2>&1 ||
    note "warning: compileall reported errors (files with py2 syntax are left uncompiled)"
}

# 8. Identical files become hardlinks (Debian ships e.g. bin/git and lib/git-core/git
#    as two copies); docker layers keep hardlinks.
hardlink_twins() {
  local -A first=()
  local sum f
  while IFS=' ' read -r sum f; do
    if [ -n "${first[$sum]:-}" ]; then
      [ "$(stat -c %i "$f")" = "$(stat -c %i "${first[$sum]}")" ] || ln -f -- "${first[$sum]}" "$f"
    else
      first[$sum]=$f
    fi
  done < <(find "$P" -type f -size +16k -print0 | xargs -0 -r sha256sum | sed 's/  / /' |
    while read -r sum f; do printf '%s %s\n' "$sum$(stat -c '-%a-%u-%g' "$f")" "$f"; done |
    sort -k1,1 -s)
}

# One file of the audit: fails (after saying why) when it resolves anything outside P.
audit_elf() {
  local f=$1 ld=$2 rp d out bad rps ok=0
  elf_deps "$f" || return 0
  if [ -n "$ELF_INTERP" ] && [[ "$ELF_INTERP" != "$P"/* ]]; then
    note "audit: $f: interpreter $ELF_INTERP"
    ok=1
  fi
  rp=$(patchelf --print-rpath "$f" 2>/dev/null) || rp=''
  IFS=: read -r -a rps <<<"$rp"
  for d in "${rps[@]}"; do [[ "$d" == "$P"/* ]] || { note "audit: $f: rpath entry $d"; ok=1; }; done
  out=$("$ld" --list "$f" 2>&1) || { note "audit: $f: $ld --list failed: $out"; ok=1; }
  bad=$(awk -v p="$P/" '/=>/ { if (index($3, p) != 1) print } /^[ \t]*\// { if (index($1, p) != 1) print }' <<<"$out")
  [ -z "$bad" ] || { note "audit: $f: resolves outside P: $bad"; ok=1; }
  return "$ok"
}

# 9. Audit with P's own loader: every ELF resolves all of its libraries inside P.
audit_prefix() {
  local fail=0 f l ld=''
  for ld in "${!LD_REAL[@]}"; do break; done
  if [ -n "$ld" ]; then
    while IFS= read -r f; do audit_elf "$f" "$ld" || fail=1; done < <(list_patchable_elfs)
  fi
  while IFS= read -r l; do
    [ -e "$l" ] || note "warning: dangling symlink ${l#"$P"/} -> $(readlink "$l")"
  done < <(find "$P" -type l)
  [ "$fail" = 0 ] || die "audit failed"
  note "sealed $P ($(du -sh "$P" | cut -f1))"
}

main() {
  conf_load "$1"
  [ -d "$P" ] || die "prefix $P does not exist (run collect.sh first)"
  command -v patchelf >/dev/null || die "patchelf is not installed in the build stage"
  shopt -s nullglob globstar dotglob
  declare -gA ELF_DONE=() LIB_SEEN=() PKG_DONE=() RPATH_SEEN=() LD_REAL=() LIB_OWNER=()
  RPATH_DIRS=() INTERP_REL=() ADDED=0 RPATH='' ELF_INTERP='' ELF_NEEDED=''

  collect_closure
  order_rpath
  relink_symlinks
  patch_loaders
  patch_elfs
  install_kit_files
  fix_shebangs
  build_launchers
  prepare_python
  hardlink_twins
  audit_prefix
}

main "$@"
