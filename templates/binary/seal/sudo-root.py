#!/usr/bin/python3 -I
"""dappdeps: sudo for root, where the target image has no sudo of its own.

Installed by seal.sh where a manifest asks for it (the ansible image's bin/sudo). That bin/
is appended to the PATH of the commands Ansible runs, so a target's own sudo always comes
first; base's sudo cannot stand in, because its plugin path, sudo.conf, sudoers and PAM
modules are compiled in as the target's /usr and /etc. This one does what provisioning
asks of sudo: root becomes another user (Ansible's `become_user`), with sudo's default
environment (env_reset), then runs the command. It reads no policy, asks no password,
logs nothing and writes nothing. Anyone but root gets an error: it is not setuid.

Options: those Ansible's sudo become plugin passes (-H -S -n -k -p PROMPT -u USER) and
-g GROUP, -E (keep the environment), -- ; clustered short options work (-HSn).
"""

import os
import grp
import pwd
import shutil
import sys

try:  # the prefix's sitecustomize (seal kit's child-env.py): the target's environment before the launchers
    from sitecustomize import child_env
except ImportError:

    def child_env(env):
        return dict(env)


NAME = "sudo (dappdeps)"
# what sudo's env_reset keeps from the caller; HOME, SHELL, LOGNAME, USER and SUDO_* are set
KEPT = ("PATH", "TERM", "COLORTERM", "DISPLAY", "LANG", "LANGUAGE", "LC_ALL", "TZ")


def fail(message, code=1):
    sys.stderr.write(f"{NAME}: {message}\n")
    sys.exit(code)


def parse(argv):
    """(options, command): options maps 'u', 'g' to values and flag letters to True."""
    takes_value = {"u", "g", "p"}
    flags = {"H", "S", "n", "k", "E"}
    opts = {}
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            i += 1
            break
        if not arg.startswith("-") or arg == "-":
            break
        j = 1
        while j < len(arg):
            letter = arg[j]
            if letter in takes_value:
                value = arg[j + 1 :]
                if not value:
                    i += 1
                    if i >= len(argv):
                        fail(f"option -{letter} needs a value", 2)
                    value = argv[i]
                opts[letter] = value
                break
            if letter not in flags:
                fail(f"option -{letter} is not supported (only -H -S -n -k -E -p -u -g)", 2)
            opts[letter] = True
            j += 1
        i += 1
    command = argv[i:]
    if not command:
        fail("no command given (usage: sudo [-HSnkE] [-u user] [-g group] [-p prompt] [--] command [args...])", 2)
    return opts, command


def lookup_user(spec):
    try:
        return pwd.getpwuid(int(spec[1:])) if spec.startswith("#") else pwd.getpwnam(spec)
    except (KeyError, ValueError):
        fail(f"unknown user {spec}")


def lookup_group(spec):
    try:
        return grp.getgrgid(int(spec[1:])).gr_gid if spec.startswith("#") else grp.getgrnam(spec).gr_gid
    except (KeyError, ValueError):
        fail(f"unknown group {spec}")


def main():
    opts, command = parse(sys.argv[1:])
    user = lookup_user(opts.get("u", "root"))
    gid = lookup_group(opts["g"]) if "g" in opts else user.pw_gid
    caller = os.getuid()
    if os.geteuid() != 0 and (user.pw_uid != os.geteuid() or gid != os.getegid()):
        fail(
            f"only root can run commands as another user here (this is uid {caller}, and the image has no sudo "
            "of its own); provision as root (--user for the result's USER), or install sudo in the image"
        )
    base = child_env(os.environ)
    if opts.get("E"):
        env = base
    else:
        env = {k: base[k] for k in KEPT if k in base}
    try:
        caller_name = pwd.getpwuid(caller).pw_name
    except KeyError:
        caller_name = str(caller)
    env.update(
        HOME=user.pw_dir,
        SHELL=user.pw_shell or "/bin/sh",
        LOGNAME=user.pw_name,
        USER=user.pw_name,
        SUDO_USER=caller_name,
        SUDO_UID=str(caller),
        SUDO_GID=str(os.getgid()),
        SUDO_COMMAND=" ".join(command),
    )
    if os.geteuid() == 0:
        try:
            os.initgroups(user.pw_name, gid)
        except OSError:  # no /etc/group (a bare image): the primary group only
            os.setgroups([gid])
        os.setgid(gid)
        os.setuid(user.pw_uid)
    program = command[0] if "/" in command[0] else shutil.which(command[0], path=env.get("PATH", os.defpath))
    if program is None:
        fail(f"{command[0]}: command not found")
    try:
        os.execve(program, command, env)
    except OSError as error:
        fail(f"{command[0]}: {error.strerror}")


main()
