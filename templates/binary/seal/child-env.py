"""dappdeps: the programs this Python starts get the target image's environment back.

Installed by seal.sh as the sealed Python's sitecustomize. The static launchers set
variables that this Python needs (locale, CA bundle, OpenSSL modules, Ansible's
settings). Those marked private are recorded: their names in DAPPDEPS_PRIVATE_ENV,
each value from before in DAPPDEPS_ORIG_<NAME> (absent when it was unset). Python
keeps them for itself (OpenSSL reads SSL_CERT_FILE when a context is made), while
every subprocess gets the recorded values back, unless the program set a variable to
a value of its own (Ansible's apt module sets LC_ALL=C for apt-get on purpose).
Programs of the prefix that need the values (python3, ansible-*) are launchers
themselves and set them again.
"""

import os
import subprocess
import sys
from collections.abc import Mapping

_LIST = "DAPPDEPS_PRIVATE_ENV"
_ORIG = "DAPPDEPS_ORIG_"

# name -> (value this Python started with, value before the launchers)
_PRIVATE = {
    name: (os.environ.get(name), os.environ.get(_ORIG + name))
    for name in os.environ.get(_LIST, "").split(":")
    if name
}


def _key(env, name):
    """The key for name in env, which may be os.environb-like (bytes keys)."""
    for k in env:
        return os.fsencode(name) if isinstance(k, bytes) else name
    return name


def child_env(env):
    """A copy of env as the target image would have given it to a child."""
    env = dict(env)
    for name, (started, before) in _PRIVATE.items():
        k = _key(env, name)
        value = env.get(k)
        if isinstance(value, bytes):
            value = os.fsdecode(value)
        if value == started:
            if before is None:
                env.pop(k, None)
            else:
                env[k] = os.fsencode(before) if isinstance(k, bytes) else before
        env.pop(_key(env, _ORIG + name), None)
    env.pop(_key(env, _LIST), None)
    return env


_ENV_ARG = 9  # Popen(args, bufsize, executable, stdin, stdout, stderr, preexec_fn, close_fds, shell, cwd, env, ...)
_popen_init = subprocess.Popen.__init__


def _popen_init_child_env(self, args, *rest, **kwargs):
    if len(rest) > _ENV_ARG:
        rest = list(rest)
        rest[_ENV_ARG] = child_env(os.environ if rest[_ENV_ARG] is None else rest[_ENV_ARG])
    else:
        env = kwargs.get("env")
        kwargs["env"] = child_env(os.environ if env is None else env)
    _popen_init(self, args, *rest, **kwargs)


if _PRIVATE:
    subprocess.Popen.__init__ = _popen_init_child_env


# The target stays the target for Ansible's modules too. Facts describe the target: the env fact shows the
# environment a task's commands get (launcher records and private values left out, the prefixes' folders taken
# off PATH). Tools the prefixes carry (ssh-keygen, tar, git) are not on tasks' PATH, where a playbook's own
# `command -v` would find them: a module that needs one (user's ssh-keygen, unarchive's tar) still finds it,
# after PATH, through get_bin_path. The folders are in DAPPDEPS_BORROW_PATH, one of the launcher's private
# variables.
_BORROW = [d for d in os.environ.get("DAPPDEPS_BORROW_PATH", "").split(":") if d]


def target_env(env):
    """env as facts should show it: what a task's commands get, minus the prefixes' folders on PATH."""
    env = child_env(env)
    for k in [k for k in env if k.startswith("DAPPDEPS_")]:
        del env[k]
    if "PATH" in env:
        env["PATH"] = ":".join(d for d in env["PATH"].split(":") if d not in _BORROW)
    return env


def _patch_env_facts(module):
    collect = module.EnvFactCollector.collect

    def collect_target_env(self, *args, **kwargs):
        facts = collect(self, *args, **kwargs)
        facts["env"] = target_env(facts.get("env", {}))
        return facts

    module.EnvFactCollector.collect = collect_target_env


def _patch_get_bin_path(module):
    get_bin_path = module.get_bin_path

    def get_bin_path_borrowing(arg, opt_dirs=None, required=None):
        try:
            return get_bin_path(arg, opt_dirs, required)
        except ValueError:
            for d in _BORROW:
                path = os.path.join(d, arg)
                if os.path.isfile(path) and os.access(path, os.X_OK):
                    return path
            raise

    module.get_bin_path = get_bin_path_borrowing


class _TargetEnviron(Mapping):
    """os.environ as the target has it (target_env), read at each access: what the env lookup returns."""

    def _env(self):
        return target_env(os.environ)

    def __getitem__(self, name):
        return self._env()[name]

    def __iter__(self):
        return iter(self._env())

    def __len__(self):
        return len(self._env())


class _OsWithTargetEnviron:
    """The os module for the env lookup plugin of Ansible versions that read os.environ or os.getenv directly."""

    environ = _TargetEnviron()

    def getenv(self, name, default=None):
        return self.environ.get(name, default)

    def __getattr__(self, attr):
        return getattr(os, attr)


def _patch_env_lookup(module):
    """lookup('env') runs in Ansible's own Python, whose environment is the launcher's: it gets the target's, as
    the env fact does. The plugin reads py3compat.environ (ansible-core 2.14) or os (older, newer)."""
    if getattr(module, "_dappdeps_target_env", False):
        return
    if hasattr(module, "py3compat"):
        module.py3compat = type("py3compat", (), {"environ": _TargetEnviron()})
    if hasattr(module, "os"):
        module.os = _OsWithTargetEnviron()
    module._dappdeps_target_env = True


def _patch_plugin_loader(module):
    """Ansible loads plugins from their files, past the import hooks: the env lookup is patched once loaded."""
    load = module.PluginLoader._load_module_source

    def load_patched(self, *args, **kwargs):
        plugin = load(self, *args, **kwargs)
        if getattr(plugin, "__name__", "").endswith("lookup.env") and hasattr(plugin, "LookupModule"):
            _patch_env_lookup(plugin)
        return plugin

    module.PluginLoader._load_module_source = load_patched


def _patch_getuser(module):
    """getpass.getuser() raises OSError since Python 3.13 where the uid has no passwd entry and no LOGNAME/USER
    is set (an image without /etc/passwd): ansible-core 2.19 calls it at import, for its log records."""
    getuser = module.getuser

    def getuser_or_uid():
        try:
            return getuser()
        except (OSError, KeyError):
            return str(os.getuid())

    module.getuser = getuser_or_uid


def _patch_certifi(module):
    """Debian's certifi names /etc/ssl/certs/ca-certificates.crt, which a target may lack; requests (2.32) loads it at
    import. Where it is missing, the prefix's bundle (the launcher's SSL_CERT_FILE) stands in."""
    where = module.where
    bundle = os.environ.get("SSL_CERT_FILE", "")

    def where_existing():
        path = where()
        return bundle if not os.path.exists(path) and bundle and os.path.exists(bundle) else path

    module.where = where_existing


def _dpkg_field(package, field, status="/var/lib/dpkg/status"):
    """A field of an installed package in the target's dpkg database, or None."""
    try:
        with open(status, encoding="utf-8", errors="replace") as f:
            stanzas = f.read().split("\n\n")
    except OSError:
        return None
    for stanza in stanzas:
        lines = stanza.splitlines()
        if "Package: " + package in lines:
            for line in lines:
                if line.startswith(field + ": "):
                    return line[len(field) + 2 :]
    return None


def _target_release():
    try:
        with open("/etc/os-release", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return "this target"


# The modules that change the target's apt state through the bindings (package_facts only reads dpkg's status).
_APT_WRITERS = {"ansible.modules.apt", "ansible.modules.apt_repository"}


def _check_apt_bindings(module):
    """Fail apt and apt_repository, saying why, where the bindings' libapt is of another apt generation than the
    target's: bookworm's (apt 2.x) against trixie's apt 3 fails with "unknown reason" and leaves lists behind."""
    fqn = getattr(sys.modules.get("__main__"), "_module_fqn", None)
    theirs = _dpkg_field("apt", "Version")
    ours = getattr(module, "VERSION", "")
    if fqn not in _APT_WRITERS or not theirs or theirs.split(".")[0] == ours.split(".")[0]:
        return
    import json

    name = fqn.rsplit(".", 1)[-1]
    msg = (
        "%s: the apt bindings of this dappdeps ansible image are built for apt %s, and %s has apt %s: they cannot "
        "work together, nothing was changed. Use the dappdeps ansible image made for that release (provision picks "
        "it from the target's /etc/os-release unless --ansible says otherwise)." % (name, ours, _target_release(), theirs)
    )
    print(json.dumps({"failed": True, "changed": False, "msg": msg}))
    sys.exit(1)


_PATCHES = {
    "ansible.module_utils.facts.system.env": _patch_env_facts,
    "ansible.module_utils.common.process": _patch_get_bin_path,
    "apt_pkg": _check_apt_bindings,
    "ansible.plugins.loader": _patch_plugin_loader,
    "getpass": _patch_getuser,
    "certifi": _patch_certifi,
}


class _PatchOnImport:
    """A meta path finder that patches a module of _PATCHES once it has run (modules import them from a zip)."""

    def find_spec(self, name, path=None, target=None):
        if name not in _PATCHES:
            return None
        import importlib.machinery

        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None:
            for finder in sys.meta_path:
                if finder is self or not hasattr(finder, "find_spec"):
                    continue
                spec = finder.find_spec(name, path, target)
                if spec is not None:
                    break
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        original = spec.loader

        class _Loader:
            def __getattr__(self, attr):
                return getattr(original, attr)

            def create_module(self, s):
                return original.create_module(s)

            def exec_module(self, module):
                original.exec_module(module)
                _PATCHES[name](module)

        spec.loader = _Loader()
        return spec


if _PRIVATE:
    sys.meta_path.insert(0, _PatchOnImport())
