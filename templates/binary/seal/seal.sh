#!/bin/bash
# Make the prefix P self-contained: after this, nothing under P loads, execs or
# links anything outside P (see lib.sh for the config format).
# Usage: seal.sh <seal.conf>
set -euo pipefail
SEAL_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$SEAL_DIR/lib.sh"

# The dynamic ELF files under P, read by elf-scan.pl in one process: ELFS (sorted paths) and, per path,
# ELF_INO (dev:inode), ELF_INTERP, ELF_NEEDED (space-separated) and ELF_RPATH (RPATH or RUNPATH).
scan_elfs() {
  local f ino interp needed rpath
  perl "$SEAL_DIR/elf-scan.pl" "$P" >"$WORK/elfs" || die "elf-scan.pl failed"
  ELFS=()
  ELF_INO=() ELF_INTERP=() ELF_NEEDED=() ELF_RPATH=()
  while IFS='|' read -r f ino interp needed rpath; do
    ELFS+=("$f")
    ELF_INO[$f]=$ino ELF_INTERP[$f]=$interp ELF_NEEDED[$f]=$needed ELF_RPATH[$f]=$rpath
  done <"$WORK/elfs"
}

# One of P's loaders (the same file, whatever its name)?
is_loader() {
  local ld
  for ld in "${!LD_REAL[@]}"; do [ "$1" -ef "$ld" ] && return 0; done
  return 1
}

# What a loader resolves for the files in $WORK/trace.in ("file|loader" lines), into $WORK/trace: "file|lib|path",
# "file|interp|path", "file|missing|name" or "file|failed|message" (trace-libs.pl: one exec per file).
trace_libs() {
  perl "$SEAL_DIR/trace-libs.pl" "$1" <"$WORK/trace.in" >"$WORK/trace" || die "trace-libs.pl failed"
}

# rm -rf P/<glob> for every drop, in one rm.
apply_drops() {
  local g f found=()
  for g in "${DROPS[@]}"; do
    for f in "$P"/$g; do found+=("$f"); done
  done
  [ "${#found[@]}" -eq 0 ] || rm -rf -- "${found[@]}"
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

# Owning package of a library path, into OWNER (empty when dpkg lists none). Merged /usr makes dpkg record
# either spelling; the resolved path is the last resort, since it costs a fork.
owner_of() {
  local f=$1 c
  OWNER=''
  for c in "$f" "/usr$f" "${f#/usr}" "$(readlink -f "$f")"; do
    [ -n "${LIB_OWNER[$c]:-}" ] && { OWNER=${LIB_OWNER[$c]}; return 0; }
  done
}

add_rpath_dir() {
  [ -n "${RPATH_SEEN[$1]:-}" ] && return
  RPATH_SEEN[$1]=1
  RPATH_DIRS+=("$1")
}

# Take one library an ELF file needs into P, with its whole owning package (dlopen()ed plugins come along)
# unless that package is lib-only: queued in TAKE_PKGS and TAKE_LIBS, copied by take_queued.
take_library() {
  local lib=$1
  [ -n "${LIB_SEEN[$lib]:-}" ] && return
  LIB_SEEN[$lib]=1
  owner_of "$lib"
  OWNER=${OWNER%%:*}
  if [ -n "$OWNER" ] && ! in_list "$OWNER" "${LIBONLY[@]}" && [ -z "${PKG_DONE[$OWNER]:-}" ]; then
    PKG_DONE[$OWNER]=1
    note "closure: $lib -> whole package $OWNER"
    TAKE_PKGS+=("$OWNER")
  fi
  TAKE_LIBS+=("$lib")
}

# Copy what take_library queued: the packages, then each library (and its symlink chain) that they did not
# bring, also when its owner is lib-only or unknown. Sets ADDED=1 when P grew.
take_queued() {
  local lib rel missing=()
  if [ "${#TAKE_PKGS[@]}" -gt 0 ]; then
    pkg_files "${TAKE_PKGS[@]}" | copy_paths
    apply_drops
    ADDED=1
  fi
  for lib in "${TAKE_LIBS[@]}"; do
    map_rel_to rel "$lib"
    [ -e "$P/$rel" ] || missing+=("$lib")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    { printf '%s\n' "${missing[@]}"; readlink -f -- "${missing[@]}"; } | copy_paths
    ADDED=1
  fi
  TAKE_PKGS=() TAKE_LIBS=()
}

# 1. Shared-library closure, until a pass adds nothing: each new ELF file's libraries and interpreter, as
#    the build stage's loader resolves them (what ldd prints). The loader misses dlopen()ed plugins (OpenSSL
#    providers, NSS, gconv, Python extension deps), so the whole owning package comes along.
collect_closure() {
  local pkg f interp kind lib rel missing sys_ld
  for pkg in "${PACKAGES[@]}"; do PKG_DONE[$pkg]=1; done
  load_lib_owners
  apply_drops
  # The stage's own loader traces the libraries (no interpreter of their own); the shell's is that loader.
  sys_ld=$(perl "$SEAL_DIR/elf-scan.pl" "$(readlink -f "$BASH")" | cut -d'|' -f3)
  [ -x "$sys_ld" ] || die "the build stage's loader '$sys_ld' is not there"
  while :; do
    ADDED=0
    scan_elfs
    : >"$WORK/trace.in"
    for f in "${ELFS[@]}"; do
      [ -n "${ELF_DONE[$f]:-}" ] && continue
      ELF_DONE[$f]=1
      interp=${ELF_INTERP[$f]}
      if [ -n "$interp" ] && [[ "$interp" != "$P"/* ]] && ! in_list "$interp" "${INTERP_REL[@]}"; then
        INTERP_REL+=("$interp")
      fi
      [ -n "$interp" ] && [[ "$interp" != "$P"/* ]] && [ -x "$interp" ] || interp=$sys_ld
      printf '%s|%s\n' "$f" "$interp" >>"$WORK/trace.in"
    done
    [ -s "$WORK/trace.in" ] || break
    trace_libs "$sys_ld"
    missing=''
    while IFS='|' read -r f kind lib; do
      case "$kind" in
        missing) missing+=" $f: $lib;" ;;
        failed) note "warning: $f: the build stage's loader failed: $lib" ;;
        lib | interp)
          if [[ "$lib" == "$P"/* ]]; then
            [ "$kind" = lib ] && add_rpath_dir "${lib%/*}"
            continue
          fi
          if [ "$kind" = lib ]; then
            map_rel_to rel "${lib%/*}"
            add_rpath_dir "$P/$rel"
          fi
          take_library "$lib"
          ;;
      esac
    done <"$WORK/trace"
    [ -z "$missing" ] || die "libraries not found in the build stage:$missing"
    take_queued
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
relink_symlinks() { perl "$SEAL_DIR/relink-symlinks.pl" "$P" || die "relink-symlinks.pl failed"; }

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
    map_rel_to ld "$i"
    ld=$P/$ld
    [ -e "$ld" ] || die "interpreter $i not collected into P"
    LD_REAL[$(readlink -f "$ld")]=1
  done
  for ld in "${!LD_REAL[@]}"; do patch_loader "$ld"; done
}

# 4. Interpreter + RPATH of every dynamic ELF: the RPATH first, then the interpreter, one patchelf run per
#    set of changes (patchelf rewrites a file in place, so each inode is patched once per pass, whatever its
#    names). Not both in one run: patchelf 0.18 (trixie's) then lays a non-PIE program's new first LOAD segment
#    over its second (python3.13 mapped its moved .dynamic away and segfaulted); one change per run does not.
patch_elfs() {
  local f n rel only_ld key
  local -A rpaths=() interps=() seen=()
  scan_elfs
  for f in "${ELFS[@]}"; do
    is_loader "$f" && continue
    [ -n "${seen[${ELF_INO[$f]}]:-}" ] && continue
    seen[${ELF_INO[$f]}]=1
    if [ -n "${ELF_INTERP[$f]}" ] && [[ "${ELF_INTERP[$f]}" != "$P"/* ]]; then
      map_rel_to rel "${ELF_INTERP[$f]}"
      interps["--set-interpreter $P/$rel"]+="$f"$'\n'
    fi
    # glibc's own libraries only need the (already loaded) loader: leave them untouched
    only_ld=1
    for n in ${ELF_NEEDED[$f]}; do in_list "$n" "${INTERP_REL[@]##*/}" || only_ld=0; done
    if [ "$only_ld" = 0 ] && [ "${ELF_RPATH[$f]}" != "$RPATH" ]; then
      rpaths["--force-rpath --set-rpath $RPATH"]+="$f"$'\n'
    fi
  done
  for key in "${!rpaths[@]}"; do patchelf_all "$key" "${rpaths[$key]}"; done
  for key in "${!interps[@]}"; do patchelf_all "$key" "${interps[$key]}"; done
}

# patchelf_all ARGS FILES: patchelf with ARGS (blank-separated) on each of FILES (one a line)
patchelf_all() {
  local -a args
  read -r -a args <<<"$1" # P and RPATH hold no blanks (conf_load's character set)
  printf '%s' "$2" | tr '\n' '\0' | xargs -0 patchelf "${args[@]}" || die "patchelf ${args[*]} failed"
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

# 5a'. Symlinks the config asks for (e.g. the ansible image's folder of what tasks may borrow from base).
install_links() {
  local e rel target
  for e in "${LINKS[@]}"; do
    read -r rel target <<<"$e"
    [[ -n "$rel" && "$rel" != /* && "/$rel/" != */../* ]] || die "link: '$rel' is not a path relative to P"
    [[ "$target" == /* && "/$target/" != */../* ]] || die "link: '$target' is not an absolute path"
    if [ -e "$P/$rel" ] || [ -L "$P/$rel" ]; then die "link: P/$rel exists already"; fi
    mkdir -p "$(dirname "$P/$rel")"
    ln -s "$target" "$P/$rel"
    note "link: ${rel} -> ${target}"
  done
}

# 5b. Shebangs of executable scripts: interpreters from P.
fix_shebangs() { perl "$SEAL_DIR/reshebang.pl" "$P" || die "reshebang.pl failed"; }

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
#    end up with. With `warm` commands (the manifest's smoke commands), only the
#    modules they import are compiled (warm-pyc.py); without, every module but
#    Ansible's modules and the collections' module_utils, which are read as source
#    and shipped to the target, never imported where they lie.
prepare_python() {
  [ -x "$P/bin/python3" ] || return 0
  local site pydirs=("$P"/lib/python3 "$P"/lib/python3.*)
  if grep -q '^DD_ENV([A-Z_]*, 1,' "$P/libexec/dappdeps/launcher-config.h" 2>/dev/null; then
    site=$("$P/bin/python3" -B -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')/sitecustomize.py
    rm -f "$site"
    cp "$SEAL_DIR/child-env.py" "$site"
    note "python: $site gives the programs it starts the environment from before the launchers"
  fi
  find "${pydirs[@]}" -name __pycache__ -type d -prune -exec rm -rf {} +
  if [ "${#WARMS[@]}" -gt 0 ]; then
    "$P/bin/python3" -B "$SEAL_DIR/warm-pyc.py" "$P" "$CONF" || die "warm-pyc.py failed"
    return 0
  fi
  # -B: the modules compileall itself imports would otherwise get timestamp pycs first (which -f replaces).
  "$P/bin/python3" -B -m compileall -f -q -j0 --invalidation-mode unchecked-hash \
    -x '/(ansible/modules|ansible_collections/[^/]+/[^/]+/plugins/(modules|module_utils))/' "${pydirs[@]}" >/dev/null 2>&1 ||
    note "warning: compileall reported errors (files with py2 syntax are left uncompiled)"
}

# 8. Identical files become hardlinks (Debian ships e.g. bin/git and lib/git-core/git as two copies); docker
#    layers keep hardlinks.
hardlink_twins() { perl "$SEAL_DIR/hardlink-twins.pl" "$P" || die "hardlink-twins.pl failed"; }

# 9. Audit with P's own loader: no ELF file has an interpreter or an RPATH entry outside P, and each resolves
#    all of its libraries inside P.
audit_prefix() {
  local fail=0 f l d rps kind lib ld=''
  for ld in "${!LD_REAL[@]}"; do break; done
  if [ -n "$ld" ]; then
    scan_elfs
    : >"$WORK/trace.in"
    for f in "${ELFS[@]}"; do
      is_loader "$f" && continue
      if [ -n "${ELF_INTERP[$f]}" ] && [[ "${ELF_INTERP[$f]}" != "$P"/* ]]; then
        note "audit: $f: interpreter ${ELF_INTERP[$f]}"
        fail=1
      fi
      IFS=: read -r -a rps <<<"${ELF_RPATH[$f]}"
      for d in "${rps[@]}"; do [[ "$d" == "$P"/* ]] || { note "audit: $f: rpath entry $d"; fail=1; }; done
      printf '%s|%s\n' "$f" "$ld" >>"$WORK/trace.in"
    done
    trace_libs "$ld"
    while IFS='|' read -r f kind lib; do
      case "$kind" in
        failed) note "audit: $f: $ld cannot load it: $lib"; fail=1 ;;
        missing) note "audit: $f: $lib not found"; fail=1 ;;
        *) [[ "$lib" == "$P"/* ]] || { note "audit: $f: resolves outside P: $lib"; fail=1; } ;;
      esac
    done <"$WORK/trace"
  fi
  while IFS= read -r l; do
    [ -e "$l" ] || note "warning: dangling symlink ${l#"$P"/} -> $(readlink "$l")"
  done < <(find "$P" -type l)
  [ "$fail" = 0 ] || die "audit failed"
  note "sealed $P ($(du -sh "$P" | cut -f1))"
}

main() {
  CONF=$1
  conf_load "$1"
  [ -d "$P" ] || die "prefix $P does not exist (run collect.sh first)"
  command -v patchelf >/dev/null || die "patchelf is not installed in the build stage"
  shopt -s nullglob globstar dotglob
  declare -gA ELF_DONE=() LIB_SEEN=() PKG_DONE=() RPATH_SEEN=() LD_REAL=() LIB_OWNER=()
  declare -gA ELF_INO=() ELF_INTERP=() ELF_NEEDED=() ELF_RPATH=()
  ELFS=() RPATH_DIRS=() INTERP_REL=() TAKE_PKGS=() TAKE_LIBS=() ADDED=0 RPATH='' OWNER=''
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT

  collect_closure
  order_rpath
  relink_symlinks
  patch_loaders
  patch_elfs
  install_kit_files
  install_links
  fix_shebangs
  build_launchers
  prepare_python
  hardlink_twins
  audit_prefix
}

main "$@"
