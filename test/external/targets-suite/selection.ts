/**
 * Which of ansible-core's integration targets the suite runs, and how. The targets' files are copied
 * unchanged from ansible-core (see ../ansible-core-targets/README.md); everything dappdeps-specific is here.
 */

export interface TargetSubset {
  /** Task files of the role run instead of its tasks/main.yml (with `include_role: tasks_from`). */
  tasksFrom: string[];
  /** What the role's main.yml sets before it imports those files. */
  vars?: Record<string, string>;
}

export interface TargetSpec {
  name: string;
  /** `role`: wrapped in a play against testhost, as ansible-test does; `script`: the target's runme.sh. */
  kind: 'role' | 'script';
  /** A large role's task files that keep the suite within its time budget; `--full` runs all of them. */
  subset?: TargetSubset;
  /** ansible-test's `gather_facts/no` alias. */
  gatherFacts?: boolean;
  /** Also run relocated in the busybox image (no libc, no Python, no bash). */
  busybox?: boolean;
}

export const targets: readonly TargetSpec[] = [
  {
    name: 'file',
    kind: 'role',
    // not in busybox: its dependency setup_nobody creates a user, and busybox has no useradd
    subset: {
      tasksFrom: ['diff_peek.yml', 'modification_time.yml'],
      vars: { remote_tmp_dir_test: '{{ remote_tmp_dir }}/file', output_file: '{{ remote_tmp_dir }}/file/foo.txt' },
    },
  },
  // no_log.yml runs ansible-playbook by name from a task
  {
    name: 'copy',
    kind: 'role',
    subset: { tasksFrom: ['no_log.yml'], vars: { local_temp_dir: '{{ remote_tmp_dir }}' } },
  },
  { name: 'command_shell', kind: 'role' },
  { name: 'shell', kind: 'role' },
  { name: 'lineinfile', kind: 'role', busybox: true, subset: { tasksFrom: ['test_string01.yml'] } },
  { name: 'template', kind: 'role', subset: { tasksFrom: ['backup_test.yml'] } },
  // not in busybox: without /etc/passwd, stat has no pw_name to assert on
  { name: 'stat', kind: 'role' },
  { name: 'async', kind: 'role' },
  { name: 'known_hosts', kind: 'role' },
  { name: 'user', kind: 'role', subset: { tasksFrom: ['test_create_user.yml', 'test_ssh_key_passphrase.yml'] } },
  { name: 'git', kind: 'role', subset: { tasksFrom: ['setup.yml', 'setup-local-repos.yml', 'localmods.yml'] } },
  // apt.yml installs and removes `hello` from Debian's mirror; the role's dependency setup_deb_repo builds
  // a local repository with equivs first.
  { name: 'apt', kind: 'role', subset: { tasksFrom: ['apt.yml'] } },
  {
    name: 'blockinfile',
    kind: 'role',
    busybox: true,
    subset: {
      tasksFrom: ['create_file.yml', 'insertafter.yml'],
      vars: { remote_tmp_dir_test: '{{ remote_tmp_dir }}' },
    },
  },
  { name: 'replace', kind: 'role', busybox: true },
  { name: 'unarchive', kind: 'role', subset: { tasksFrom: ['prepare_tests.yml', 'test_tar.yml'] } },
  { name: 'assemble', kind: 'role', busybox: true },
  { name: 'find', kind: 'role', busybox: true },
  // local facts (setup's fact_path), with fact gathering before it as in every role target
  { name: 'facts_d', kind: 'role' },
  // become with sudo to setup_test_user's user, then become.yml's tasks
  { name: 'become', kind: 'role', gatherFacts: false },
];

/** Targets that fail with Debian's own ansible-core too, and why (the suite checks both ways). */
export const failsNatively: Readonly<Record<string, string>> = {
  stat:
    "debian:bookworm (debootstrap minbase) has no `file` program, so stat's get_mime finds no mime type and the " +
    "assertion `stat_result.stat.mimetype == 'text/plain'` fails; ansible-test's images have `file`",
};

/**
 * The part `npm test` runs (CI), kept small (a run costs about a CPU second per task): become (sudo and su to a
 * user setup_test_user makes) and unarchive (its setup becomes that user with sudo), which need the ansible
 * prefix's sudo for root; shell (the target's /bin/sh); lineinfile, also in busybox.
 */
export const ciTargets: readonly string[] = ['become', 'unarchive', 'shell', 'lineinfile'];

/** Targets that pass both ways with different ok/changed/failed counts in debian:bookworm, and why. */
export const countsDiffer: Readonly<Record<string, string>> = {};
