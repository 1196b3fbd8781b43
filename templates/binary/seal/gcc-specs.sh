#!/bin/bash
# Make a sealed gcc in P compile and link against P only, through a "specs" file in
# gcc's own lib dir (the driver reads it automatically). It must be a full dump:
# when that file exists the driver skips its built-in spec initialisation (libgcc_eh,
# --eh-frame-hdr, as-needed libgcc_s would silently disappear).
#   - self_spec adds --sysroot=P (unless given): headers, crt*.o, libc.a, and libc.so's
#     linker script (its absolute /lib/... paths are looked up in the sysroot) all come
#     from P. The link spec passes it to ld explicitly: a self_spec sysroot is not
#     forwarded to collect2 by itself;
#   - link gets P's loader as -dynamic-linker and an RPATH (DT_RPATH, not RUNPATH)
#     into P's lib dirs for every dynamic program it builds.
# Usage: gcc-specs.sh <prefix>
set -euo pipefail
export LC_ALL=C
P=$1
GCC="$P/bin/gcc"
[ -x "$GCC" ] || { echo "gcc-specs: $GCC not found" >&2; exit 1; }
triplet=$("$GCC" -dumpmachine)
libdir=$(realpath -m -s "$(dirname "$("$GCC" -print-libgcc-file-name)")")
interp=$(patchelf --print-interpreter "$(readlink -f "$GCC")")
case "$interp" in "$P"/*) ;; *) echo "gcc-specs: $GCC is not sealed (interpreter $interp)" >&2; exit 1 ;; esac
orig_interp=${interp#"$P"}
[ ! -e "$libdir/specs" ] || { echo "gcc-specs: $libdir/specs exists already" >&2; exit 1; }

# The sysroot maps /usr/include and /usr/lib onto P, like the collection did.
[ -e "$P/usr" ] || ln -s . "$P/usr"

# binutils: found in gcc's own dir first, never through the target image's PATH
for tool in as ld ld.bfd; do
  if [ -x "$P/bin/$triplet-$tool" ] && [ ! -e "$libdir/$tool" ]; then
    ln -s "$(realpath -m -s --relative-to="$libdir" "$P/bin/$triplet-$tool")" "$libdir/$tool"
  fi
done

rpath="-rpath $P/lib/$triplet -rpath $P/lib --disable-new-dtags"
"$GCC" -dumpspecs | awk -v P="$P" -v oi="$orig_interp" -v ni="$interp" -v rp="$rpath" '
  function subst_all(s,   out, i) {            # literal replace of oi by ni
    out = ""
    while ((i = index(s, oi)) > 0) { out = out substr(s, 1, i - 1) ni; s = substr(s, i + length(oi)) }
    return out s
  }
  prev == "*self_spec:" { $0 = "%{!-sysroot=*:--sysroot=" P "} " $0 }
  prev == "*link:"      { $0 = subst_all($0) " %{-sysroot=*:--sysroot=%*} %{!static:%{!static-pie:" rp "}}" }
  { print; prev = $0 }
' >"$libdir/specs.new"
if ! grep -qF -- "--sysroot=$P" "$libdir/specs.new" || ! grep -qF -- ":$interp}" "$libdir/specs.new"; then
  echo "gcc-specs: could not edit the dumped specs" >&2
  exit 1
fi
mv "$libdir/specs.new" "$libdir/specs"
echo "gcc-specs: wrote $libdir/specs" >&2
