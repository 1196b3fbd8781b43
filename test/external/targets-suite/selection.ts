/**
 * Which of our own Ansible integration targets (test/ansible-targets/<name>/, written for dappdeps) the suite
 * runs, and where. Each target is a role whose tasks assert their own results, so a run fails when a module
 * misbehaves, and repeat their changes to check that a second run changes nothing.
 */

export interface TargetSpec {
  name: string;
  /** Also run relocated in the busybox image (no libc, no Python, no bash, no /etc/passwd). */
  busybox?: boolean;
}

export const targets: readonly TargetSpec[] = [
  // root becomes a user it writes into /etc/passwd (sudo: the image's own, else the ansible prefix's; su)
  { name: 'become', busybox: true },
  // tar.gz only (the prefixes have no unzip: the target checks that a zip fails saying so); not in busybox:
  // it makes its user with useradd, and unarchive needs GNU tar
  { name: 'unarchive' },
  { name: 'command_shell', busybox: true },
  { name: 'lineinfile', busybox: true },
  { name: 'files', busybox: true },
  { name: 'copy_template', busybox: true },
  { name: 'text_edit', busybox: true },
  // useradd and getent: not in busybox
  { name: 'users' },
  // Debian's mirror over the host network
  { name: 'apt_debconf' },
];

/** Targets that fail with Debian's own ansible-core too, and why (the suite checks both ways). */
export const failsNatively: Readonly<Record<string, string>> = {};

/**
 * The part `npm test` (CI) runs, kept small (a run costs about a CPU second per task plus five to start):
 * become (the ansible prefix's sudo for root), unarchive (as the user too), command_shell (the target's own
 * /bin/sh and environment) and lineinfile, which also runs in busybox there.
 */
export const ciTargets: readonly string[] = ['become', 'unarchive', 'command_shell', 'lineinfile'];

/** The targets CI also runs in the busybox image: one, to keep CI's time down. */
export const ciBusybox: readonly string[] = ['lineinfile'];

/** Targets that pass both ways with different ok/changed/failed counts in debian:bookworm, and why. */
export const countsDiffer: Readonly<Record<string, string>> = {};
