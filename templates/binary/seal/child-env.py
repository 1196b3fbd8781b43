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
