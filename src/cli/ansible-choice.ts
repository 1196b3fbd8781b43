import type { DockerClient } from '../docker/docker-client.js';
import type { Distro, Strategy } from '../manifest/model.js';
import type { AnsibleSelector } from '../provision/select-ansible.js';
import type { Output } from '../ui/output.js';
import type { DistroOptions } from './distro-option.js';

/**
 * provision's choice of Ansible: among the suites whose ansible image the engine has (the default suite when it
 * has none), or among every suite when `--ansible` names one (a missing image is then the survey's error, with
 * its build hint); chooseAnsibleSuite decides from the target's os-release.
 */
export async function ansibleSelector(
  docker: DockerClient,
  options: DistroOptions & { ansible?: string; strategy: Strategy },
  output: Output,
): Promise<AnsibleSelector> {
  const { openSuites } = await import('./suite-option.js');
  const { chooseAnsibleSuite, parseOsRelease } = await import('../manifest/ansible-offers.js');
  const suites = await openSuites(options, output);
  const offered = options.ansible === undefined ? await builtSuites(docker, suites, options.strategy) : suites;
  return (text) => chooseAnsibleSuite(offered, options.ansible, text === undefined ? undefined : parseOsRelease(text));
}

/** The suites whose ansible image is on the engine (a suite not built here is not chosen for the user). */
async function builtSuites(docker: DockerClient, suites: readonly Distro[], strategy: Strategy): Promise<Distro[]> {
  const built = await Promise.all(
    suites.map(
      async (d) => (await docker.images.inspect(d.index.tag(d.index.image('ansible'), strategy))) !== undefined,
    ),
  );
  const kept = suites.filter((_, i) => built[i]);
  return kept.length > 0 ? kept : suites.slice(0, 1);
}
