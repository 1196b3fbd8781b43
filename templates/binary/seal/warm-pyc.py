"""Precompile the Python modules the image's smoke commands import, and only those.

Usage: P/bin/python3 -B warm-pyc.py P SEAL_CONF

Each `warm` line of the config is a base64 JSON argv (a smoke command, its program relative to P). They run with
PYTHONPYCACHEPREFIX pointing into a scratch folder, so Python records there exactly the sources it imported; those
under P are then compiled into their __pycache__ as unchecked-hash pycs (valid whatever mtimes the layers get).
The rest of the library stays source only: a module no smoke command imports is compiled in memory when used, and
the image does not carry bytecode for what it rarely runs (a third of the ansible prefix was pycs before).
"""

import base64
import importlib.util
import json
import os
import py_compile
import subprocess
import sys
import tempfile


def warm_commands(conf):
    with open(conf, encoding="utf-8") as f:
        for line in f:
            key, _, rest = line.strip().partition(" ")
            if key == "warm":
                yield json.loads(base64.b64decode(rest))


def run_warm(prefix, argv, cache, cwd):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = cache
    try:
        code = subprocess.run(
            [os.path.join(prefix, argv[0]), *argv[1:]],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=600,
        ).returncode
    except (OSError, subprocess.TimeoutExpired) as e:
        code = str(e)
    # A command that needs what the build stage lacks (another prefix, a target) still warmed what it imported.
    if code != 0:
        print("dappdeps-seal: warm: %s: exit %s (kept what it imported)" % (" ".join(argv), code), file=sys.stderr)


def imported_sources(prefix, cache):
    """The .py files under P whose bytecode Python wrote into the cache prefix."""
    found = set()
    for root, _, files in os.walk(cache):
        for name in files:
            if not name.endswith(".pyc"):
                continue
            module = name.split(".", 1)[0]
            source = os.path.join(root[len(cache) :] or "/", module + ".py")
            if source.startswith(prefix + "/") and os.path.isfile(source):
                found.add(source)
    return sorted(found)


def main():
    prefix, conf = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as scratch:
        cache = os.path.join(scratch, "pycache")
        for argv in warm_commands(conf):
            run_warm(prefix, argv, cache, scratch)
        sources = imported_sources(prefix, cache)
    failed = 0
    for source in sources:
        try:
            py_compile.compile(
                source,
                cfile=importlib.util.cache_from_source(source),
                doraise=True,
                invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
            )
        except py_compile.PyCompileError:
            failed += 1
    print("dappdeps-seal: python: compiled the %d modules the smoke commands import (%d failed)" % (len(sources), failed), file=sys.stderr)


if __name__ == "__main__":
    main()
