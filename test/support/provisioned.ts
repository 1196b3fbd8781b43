/* Provision for a test and read the result back with the test's own `docker save` reader. */
import Docker from 'dockerode';
import { lineStream } from '../../src/cli/line-stream.js';
import type { DockerClient } from '../../src/docker/docker-client.js';
import type { Distro } from '../../src/manifest/model.js';
import { provisionImage } from '../../src/provision/provision-image.js';
import { expect } from './expect.js';
import { savedLayers, type LayerEntry, type SavedLayers } from './image-layers.js';
import { realDistroDir } from './paths.js';
import { runCli, type CliRun } from './run-cli.js';

export interface Provisioned {
  tag: string;
  /** What the run printed (Ansible's output and dappdeps' lines). */
  log: string[];
  layers: SavedLayers;
  /** The result's own layer: what the playbook changed. */
  top: LayerEntry[];
}

type ProvisionOptions = Parameters<typeof provisionImage>[2];

/** provisionImage with its output captured; a failure carries that output in its message. */
export async function provisionRead(
  client: DockerClient,
  distro: Distro,
  options: Omit<ProvisionOptions, 'stdout' | 'stderr'>,
): Promise<Provisioned & { result: Awaited<ReturnType<typeof provisionImage>> }> {
  const log: string[] = [];
  const out = lineStream((l) => log.push(l));
  const result = await provisionImage(client, distro, { ...options, stdout: out, stderr: out }).catch(
    (error: unknown) => {
      throw new Error(`${String(error)}\n${log.join('\n')}`);
    },
  );
  return { result, ...(await read(options.tag, log)) };
}

/** `dappdeps provision PLAYBOOK --from FROM --tag TAG ARGS…` through the CLI: exit 0 expected. */
export async function provisionCli(
  playbook: string,
  from: string,
  tag: string,
  ...args: string[]
): Promise<Provisioned & { run: CliRun }> {
  const run = await runCli(realDistroDir, 'provision', playbook, '--from', from, '--tag', tag, ...args);
  expect(run.code, run.text).to.equal(0);
  return { run, ...(await read(tag, [...run.stdout, ...run.stderr])) };
}

/** The regular files of a layer by path, with their content. */
export function layerFiles(top: LayerEntry[]): Record<string, string | undefined> {
  return Object.fromEntries(top.filter((e) => e.type === 'file').map((e) => [e.name, e.body]));
}

/** The images a test made, removed in its `after` (missing ones ignored). */
export class MadeImages {
  private readonly refs: string[] = [];
  constructor(private readonly docker = new Docker()) {}

  add(ref: string): string {
    this.refs.push(ref);
    return ref;
  }

  async removeAll(): Promise<void> {
    for (const ref of this.refs.splice(0))
      await this.docker
        .getImage(ref)
        .remove()
        .catch(() => undefined);
  }
}

async function read(tag: string, log: string[]): Promise<Provisioned> {
  const layers = await savedLayers(tag);
  return { tag, log, layers, top: layers.layers.at(-1) ?? [] };
}
