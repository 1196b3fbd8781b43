import { Writable } from 'node:stream';
import type { DockerClient } from '../../src/docker/docker-client.js';
import type { RunRequest } from '../../src/docker/types.js';

export interface TargetRun {
  code: number;
  /** stdout and stderr as they arrived. */
  output: string;
}

/** Runs argv (no shell) in a new container of `image`, output captured; the container is removed afterwards. */
export async function runIn(
  docker: DockerClient,
  image: string,
  argv: string[],
  options: Partial<Omit<RunRequest, 'image' | 'cmd' | 'stdout' | 'stderr'>> = {},
): Promise<TargetRun> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  const code = await docker.containers.run({
    image,
    cmd: argv,
    volumesFrom: [],
    ...options,
    stdout: sink,
    stderr: sink,
  });
  return { code, output: Buffer.concat(chunks).toString('utf8') };
}

/** The JSON an ad-hoc `ansible … -m MODULE` printed after `localhost | STATUS => `. */
export function adHocResult(output: string): Record<string, unknown> {
  const start = output.indexOf('=> {');
  if (start < 0) throw new Error(`no ad-hoc result in:\n${output}`);
  return JSON.parse(output.slice(start + 3)) as Record<string, unknown>;
}
