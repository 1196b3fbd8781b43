#!/bin/bash
# Make the prefix P self-contained: after this, nothing under P loads, execs or
# links anything outside P (see lib.sh for the config format).
# Usage: seal.sh <seal.conf>
set -euo pipefail
SEAL_DIR=$(cd "$(dirname "$0")" && pwd)
. "$SEAL_DIR/lib.sh"
conf_load "$1"
[ -d "$P" ] || die "prefix $P does not exist (run collect.sh first)"
command -v patchelf >/dev/null || die "patchelf is not installed in the build stage"
shopt -s nullglob globstar dotglob

is_elf() { [ "$(head -c4 "$1" 2>/dev/null)" = $'\177ELF' ]; }

# Regular ELF files under P; grep pre-filters so we do not fork per file.
list_elfs() {
  find "$P" -type f -size +52c -print0 |
    xargs -0 -r grep -laF --null "$(printf '\177ELF')" 2>/dev/null |
    while IFS= read -r -d '' f; do is_elf "$f" && printf '%s\n' "$f"; done || true
}

apply_drops() {
  local g f
  for g in "${DROPS[@]}"; do
    for f in "$P"/$g; do rm -rf -- "$f"; done
  done
}

# Owning package of a library path. Merged /usr makes dpkg record either spelling.
owner_of() {
  local f=$1 c out
  for c in "$f" "$(readlink -f "$f")" "/usr$f" "${f#/usr}"; do
    out=$(dpkg -S "$c" 2>/dev/null | grep -v '^diversion' | head -n1) || true
    [ -n "$out" ] && { printf '%s' "${out%%: *}" | cut -d, -f1; return 0; }
  done
  return 1
}

# ---------------------------------------------------------------------------
# 1. Shared-library closure. ldd misses dlopen()ed plugins (OpenSSL providers,
#    NSS, gconv, Python extension deps), so the whole owning package comes along.
apply_drops
declare -A ELF_DONE=() LIB_SEEN=() PKG_DONE=() RPATH_SEEN=()
RPATH_DIRS=() INTERP_REL=()
for pkg in "${PACKAGES[@]}"; do PKG_DONE[$pkg]=1; done

add_rpath_dir() { [ -n "${RPATH_SEEN[$1]:-}" ] && return; RPATH_SEEN[$1]=1; RPATH_DIRS+=("$1"); }

while :; do
  added=0
  mapfile -t elfs < <(list_elfs)   # snapshot: the loop body adds files to P
  for f in "${elfs[@]}"; do
    [ -e "$f" ] || continue            # removed by a drop meanwhile
    [ -n "${ELF_DONE[$f]:-}" ] && continue
    ELF_DONE[$f]=1
    interp=$(patchelf --print-interpreter "$f" 2>/dev/null) || interp=''
    if [ -n "$interp" ] && [[ "$interp" != "$P"/* ]] && ! in_list "$interp" "${INTERP_REL[@]}"; then
      INTERP_REL+=("$interp")
    fi
    needed=$(patchelf --print-needed "$f" 2>/dev/null) || needed=''
    [ -z "$needed$interp" ] && continue          # static, or nothing to resolve
    out=$(ldd "$f" 2>&1) || true
    if grep -q 'not found' <<<"$out"; then
      die "$f: library not found in the build stage: $(grep 'not found' <<<"$out" | tr -s ' \t' ' ')"
    fi
    while read -r kind lib; do
      [ -n "$lib" ] || continue
      if [[ "$lib" == "$P"/* ]]; then [ "$kind" = lib ] && add_rpath_dir "$(dirname "$lib")"; continue; fi
      [ "$kind" = lib ] && add_rpath_dir "$P/$(map_rel "$(dirname "$lib")")"
      [ -n "${LIB_SEEN[$lib]:-}" ] && continue
      LIB_SEEN[$lib]=1
      owner=$(owner_of "$lib") || owner=""; owner=${owner%%:*}
      if [ -n "$owner" ] && ! in_list "$owner" "${LIBONLY[@]}"; then
        if [ -z "${PKG_DONE[$owner]:-}" ]; then
          PKG_DONE[$owner]=1
          note "closure: $lib -> whole package $owner"
          pkg_files "$owner" | copy_paths
          apply_drops
          added=1
        fi
      fi
      # the library itself (and its symlink chain), also when its owner is lib-only/unknown
      if [ ! -e "$P/$(map_rel "$lib")" ]; then
        printf '%s\n%s\n' "$lib" "$(readlink -f "$lib")" | copy_paths
        added=1
      fi
    done < <(awk '/=> \// {print "lib", $3; next} /^[ \t]*\// {print "interp", $1}' <<<"$out")
  done
  [ "$added" = 0 ] && break
done
apply_drops
[ "${#INTERP_REL[@]}" -gt 0 ] || note "no dynamic ELF files: nothing to patch"

# multiarch dir first, then P/lib, then private dirs (e.g. lib/<triplet>/ceph)
ordered=()
for d in "${RPATH_DIRS[@]}"; do [[ "$d" == "$P"/lib/*-*-* && "$d" != "$P"/lib/*-*-*/* ]] && ordered+=("$d"); done
in_list "$P/lib" "${RPATH_DIRS[@]}" && ordered+=("$P/lib")
for d in "${RPATH_DIRS[@]}"; do in_list "$d" "${ordered[@]}" || ordered+=("$d"); done
RPATH=$(IFS=:; printf '%s' "${ordered[*]}")
note "rpath: $RPATH"

# ---------------------------------------------------------------------------
# 2. Symlinks: every link (absolute, or relative crossing /usr) points into P, relative.
while IFS= read -r l; do
  t=$(readlink "$l"); rel=${l#"$P"/}; reldir=$(dirname "$rel")
  if [[ "$t" == /* ]]; then abs=$t; else abs=$(realpath -m -s "/$reldir/$t"); fi
  [[ "$abs" == "$P"/* || "$abs" == "$P" ]] && abs=/${abs#"$P"/}   # already P-absolute
  new=$(realpath -m -s --relative-to="$P/$reldir" "$P/$(map_rel "$abs")")
  [ "$new" = "$t" ] || ln -sfn -- "$new" "$l"
done < <(find "$P" -type l)

# ---------------------------------------------------------------------------
# 3. The loader: P's own copy must never read the target image's ld.so.cache or
#    ld.so.preload, nor fall back to its /lib, /usr/lib. The compiled-in strings are
#    overwritten in place (same length, NUL-padded) with paths that exist nowhere:
#    "/.dapp/.none" where it fits, else "/.none" or "/.n" (ld.so asserts that its
#    system dirs start with '/', so they cannot simply become "").
declare -A LD_REAL=()
for i in "${INTERP_REL[@]}"; do
  ld="$P/$(map_rel "$i")"
  [ -e "$ld" ] || die "interpreter $i not collected into P (is its package excluded?)"
  LD_REAL[$(readlink -f "$ld")]=1
done
overwrite_str() { # <file> <offset> <old length>
  local r
  if [ "$3" -ge 12 ]; then r=/.dapp/.none; elif [ "$3" -ge 6 ]; then r=/.none; else r=/.n; fi
  { printf '%s' "$r"; head -c $(($3 - ${#r})) /dev/zero; } |
    dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
for ld in "${!LD_REAL[@]}"; do
  n=0
  while IFS=: read -r off s; do overwrite_str "$ld" "$off" "${#s}"; n=$((n + 1)); done < <(
    grep -obUaP '(?<=\x00)/etc/ld\.so\.(cache|preload)(?=\x00)' "$ld" || true)
  [ "$n" -ge 2 ] || die "$ld: /etc/ld.so.cache|preload strings not found ($n)"
  # system search dirs: "/lib/<triplet>/\0/usr/lib/<triplet>/\0/lib/\0/usr/lib/\0" (one block per table)
  m=0
  while IFS=: read -r off s1; do
    for len in ${#s1} $((${#s1} + 4)) 5 9; do overwrite_str "$ld" "$off" "$len"; off=$((off + len + 1)); m=$((m + 1)); done
  done < <(grep -obUaP '(/lib/[a-z0-9_-]+/)(?=\x00/usr\1\x00/lib/\x00/usr/lib/\x00)' "$ld" || true)
  [ "$m" -ge 4 ] || die "$ld: system search dirs not found"
  "$ld" --help >/dev/null || die "$ld: broken after patching"
  note "patched loader $ld (cache/preload: $n strings, system dirs: $m strings)"
done

# ---------------------------------------------------------------------------
# 4. Interpreter + RPATH of every dynamic ELF. Hardlinks are visited once per name:
#    if collect.sh ran in an earlier RUN step, overlayfs copy-up has split them.
while IFS= read -r f; do
  [ -n "${LD_REAL[$(readlink -f "$f")]:-}" ] && continue
  interp=$(patchelf --print-interpreter "$f" 2>/dev/null) || interp=''
  needed=$(patchelf --print-needed "$f" 2>/dev/null) || needed=''
  [ -z "$needed$interp" ] && continue
  args=()
  if [ -n "$interp" ] && [[ "$interp" != "$P"/* ]]; then args+=(--set-interpreter "$P/$(map_rel "$interp")"); fi
  # glibc's own libraries only need the (already loaded) loader: leave them untouched
  only_ld=1
  for n in $needed; do in_list "$n" "${INTERP_REL[@]##*/}" || only_ld=0; done
  if [ "$only_ld" = 0 ] && [ "$(patchelf --print-rpath "$f" 2>/dev/null)" != "$RPATH" ]; then
    args+=(--force-rpath --set-rpath "$RPATH")
  fi
  [ "${#args[@]}" -gt 0 ] && patchelf "${args[@]}" "$f"
done < <(list_elfs)

# ---------------------------------------------------------------------------
# 5. Shebangs of executable scripts: interpreters from P (or an 'interp' mapping);
#    "#!/usr/bin/env x" too, since a scratch image has no /usr/bin/env.
declare -A INTERP_MAP=()
for m in "${INTERPS[@]}"; do read -r k v <<<"$m"; INTERP_MAP[$k]=$v; done
UNRESOLVED=()
while IFS= read -r f; do
  is_elf "$f" && continue
  [ "$(head -c2 "$f")" = '#!' ] || continue
  line=$(head -n1 "$f" | tr -d '\r'); spec=${line#\#!}; spec=${spec#"${spec%%[! ]*}"}
  prog=${spec%% *}; rest=${spec#"$prog"}
  [[ "$prog" == "$P"/* ]] && continue
  if [ "$prog" = /usr/bin/env ] || [ "$prog" = /bin/env ]; then
    rest=${rest#"${rest%%[! ]*}"}; name=${rest%% *}; rest=${rest#"$name"}
  else
    name=${prog##*/}
  fi
  target=${INTERP_MAP[$name]:-}
  [ -z "$target" ] && for d in bin sbin; do [ -e "$P/$d/$name" ] && { target="$P/$d/$name"; break; }; done
  if [ -z "$target" ]; then UNRESOLVED+=("${f#"$P"/}: $line"); continue; fi
  tmp=$(mktemp); { printf '#!%s%s\n' "$target" "$rest"; tail -n +2 "$f"; } >"$tmp"
  cat "$tmp" >"$f"; rm -f "$tmp"              # keeps inode, mode, hardlinks
done < <(find "$P" -type f -perm /111)
for u in "${UNRESOLVED[@]}"; do note "warning: shebang interpreter not in P: $u"; done

# ---------------------------------------------------------------------------
# 6. Static launchers: one binary per image, hardlinked as each tool, picks the
#    tool by the name it was executed as and sets only that tool's environment.
if [ "${#LAUNCHERS[@]}" -gt 0 ]; then
  [ -n "$CC" ] || die "'launcher' needs a 'cc' directive (the toolchain's gcc)"
  build=$(mktemp -d); hdr="$build/launcher-config.h"
  printf '/* generated by seal.sh: DD_TOOL(name, real) then its DD_ENV(op, var, value) */\n' >"$hdr"
  mkdir -p "$P/libexec/dappdeps/real"
  for rel in "${LAUNCHERS[@]}"; do
    name=${rel##*/}; file="$P/$rel"
    if [ -L "$file" ]; then
      real=$(readlink -f "$file"); rm -f "$file"
    elif [ -f "$file" ]; then
      real="$P/libexec/dappdeps/real/$name"; mv "$file" "$real"
    else
      die "launcher target $file does not exist"
    fi
    [[ "$real" == "$P"/* && -x "$real" ]] || die "launcher $rel: real program $real not an executable in P"
    printf 'DD_TOOL("%s", "%s")\n' "$name" "$real" >>"$hdr"
    for e in "${ENVS[@]}"; do
      read -r tool op var val <<<"$e"
      [ "$tool" = "$name" ] || continue
      case "$op" in set) o=DD_SET ;; default) o=DD_DEFAULT ;; prepend) o=DD_PREPEND ;;
        append) o=DD_APPEND ;; unset) o=DD_UNSET ;; default-dir) o=DD_DEFAULT_DIR ;; *) die "env $e: unknown op $op" ;; esac
      [[ "$var" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "env $e: bad variable name"
      printf 'DD_ENV(%s, "%s", "%s")\n' "$o" "$var" "${val:-}" >>"$hdr"
    done
  done
  for e in "${ENVS[@]}"; do
    read -r tool _ <<<"$e"; found=0
    for rel in "${LAUNCHERS[@]}"; do [ "${rel##*/}" = "$tool" ] && found=1; done
    [ "$found" = 1 ] || die "env $e: no launcher named $tool"
  done
  "$CC" -static -Os -s -Wall -Werror -I"$build" -o "$P/libexec/dappdeps/launcher" "$SEAL_DIR/launcher.c"
  for rel in "${LAUNCHERS[@]}"; do ln -f "$P/libexec/dappdeps/launcher" "$P/$rel"; done
  cp "$hdr" "$P/libexec/dappdeps/launcher-config.h"   # kept for audits/debugging
  rm -rf "$build"
  note "launchers: ${LAUNCHERS[*]}"
fi

# ---------------------------------------------------------------------------
# 7. Python bytecode, so nothing writes into the read-only volume at run time;
#    unchecked-hash pycs stay valid whatever mtimes the layers end up with.
if [ -x "$P/bin/python3" ]; then
  pydirs=("$P"/lib/python3 "$P"/lib/python3.*)
  "$P/bin/python3" -m compileall -q -j0 --invalidation-mode unchecked-hash "${pydirs[@]}" >/dev/null 2>&1 ||
    note "warning: compileall reported errors (files with py2 syntax are left uncompiled)"
fi

# ---------------------------------------------------------------------------
# 7b. Identical files become hardlinks (Debian ships e.g. bin/git and lib/git-core/git
#     as two copies); docker layers keep hardlinks.
declare -A FIRST=()
while IFS=' ' read -r sum f; do
  if [ -n "${FIRST[$sum]:-}" ]; then
    [ "$(stat -c %i "$f")" = "$(stat -c %i "${FIRST[$sum]}")" ] || ln -f -- "${FIRST[$sum]}" "$f"
  else
    FIRST[$sum]=$f
  fi
done < <(find "$P" -type f -size +16k -print0 | xargs -0 -r sha256sum | sed 's/  / /' |
         while read -r sum f; do printf '%s %s\n' "$sum$(stat -c '-%a-%u-%g' "$f")" "$f"; done |
         sort -k1,1 -s)

# ---------------------------------------------------------------------------
# 8. Audit with P's own loader: every ELF resolves all of its libraries inside P.
fail=0
while IFS= read -r f; do
  [ -n "${LD_REAL[$(readlink -f "$f")]:-}" ] && continue
  interp=$(patchelf --print-interpreter "$f" 2>/dev/null) || interp=''
  needed=$(patchelf --print-needed "$f" 2>/dev/null) || needed=''
  [ -z "$needed$interp" ] && continue
  if [ -n "$interp" ] && [[ "$interp" != "$P"/* ]]; then note "audit: $f: interpreter $interp"; fail=1; fi
  rp=$(patchelf --print-rpath "$f" 2>/dev/null) || rp=''
  IFS=: read -r -a rps <<<"$rp"
  for d in "${rps[@]}"; do [[ "$d" == "$P"/* ]] || { note "audit: $f: rpath entry $d"; fail=1; }; done
  for ld in "${!LD_REAL[@]}"; do
    out=$("$ld" --list "$f" 2>&1) || { note "audit: $f: $ld --list failed: $out"; fail=1; }
    bad=$(awk '/=>/ { if ($3 !~ "^'"$P"'/") print } /^[ \t]*\// { if ($1 !~ "^'"$P"'/") print }' <<<"$out")
    [ -z "$bad" ] || { note "audit: $f: resolves outside P: $bad"; fail=1; }
    break
  done
done < <(list_elfs)
while IFS= read -r l; do
  [ -e "$l" ] || note "warning: dangling symlink ${l#"$P"/} -> $(readlink "$l")"
done < <(find "$P" -type l)
[ "$fail" = 0 ] || die "audit failed"
note "sealed $P ($(du -sh "$P" | cut -f1))"
