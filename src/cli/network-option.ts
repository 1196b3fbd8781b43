import { InvalidArgumentError } from 'commander';
import type { DockerClient } from '../docker/docker-client.js';
import { DappdepsError } from '../errors.js';

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** commander's parser for `--network`: `host`, `none`, or a network name docker would accept. */
export function networkName(value: string): string {
  if (!NAME.test(value))
    throw new InvalidArgumentError(
      'host, none or the name of a network the engine has (letters, digits, "_", ".", "-")',
    );
  return value;
}

/**
 * `--network` checked against the engine before any container exists: a network it does not have is a usage
 * error (exit 2), not a container that fails to start.
 */
export async function checkNetwork(
  docker: { engine: Pick<DockerClient['engine'], 'hasNetwork'> },
  network?: string,
): Promise<void> {
  if (network === undefined || network === 'host' || network === 'none') return;
  if (await docker.engine.hasNetwork(network)) return;
  throw new DappdepsError(`--network ${network}: the engine has no network of that name`, {
    exitCode: 2,
    hint: `use --network host or --network none, or create it first (docker network create ${network})`,
  });
}
