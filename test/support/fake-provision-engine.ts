import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import tarStream from 'tar-stream';
import type { ImageDetails } from '../../src/docker/types.js';
import type { Distro } from '../../src/manifest/model.js';
import { provisionWith, type ProvisionInputs, type ProvisionOptions } from '../../src/provision/provision-image.js';
import type { ProvisionEngine } from '../../src/provision/provision-engine.js';
import { saveOf } from './archive-fixtures.js';

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** Which call fails, and how: a thrown engine error, or a load whose image lacks the layers it was written with. */
export type FakeFailure =
  | 'create'
  | 'put'
  | 'run'
  | 'commit'
  | 'save'
  | 'load'
  | 'load-wrong-layers'
  | 'load-partial' // refuses an archive that leaves out a layer file (a Docker that reads them all)
  | 'tag';

export interface FakeEngineOptions {
  /** The source image's layers (tar files), lowest first. */
  sourceLayers: Buffer[];
  /** The layer the run "writes" (what the commit adds). */
  runLayer: Buffer;
  /** ansible-playbook's exit code. */
  exitCode?: number;
  fail?: FakeFailure;
  /** The source's /usr/lib/os-release (its /etc/os-release reads as absent, as Debian's symlink does). */
  osRelease?: string;
  /**
   * Docker (the default) reads a layer file only when it lacks that layer; Podman's load wants every file, so
   * an archive that leaves one out fails as it would there.
   */
  product?: 'docker' | 'podman';
}

/**
 * An engine in memory behind the provision port: images by id and tag, containers, and every call logged, so
 * the orchestration's clean-up can be checked phase by phase. Saves and loads are real docker archives.
 */
export class FakeProvisionEngine implements ProvisionEngine {
  readonly calls: string[] = [];
  /** The files read from containers, in order. */
  readonly reads: string[] = [];
  readonly images = {
    details: (ref: string) => Promise.resolve(this.#images.get(this.tags.get(ref) ?? ref)),
    save: async (id: string) => {
      this.#failIf('save');
      const image = this.#layers.get(id);
      if (!image) throw new Error(`no image ${id}`);
      return Readable.from([await saveOf(image, { format: 'legacy' })]);
    },
    load: async (archive: Readable) => {
      this.#failIf('load');
      const { id, sent, named } = await this.#load(archive);
      this.calls.push(`load ${id} ${sent}/${named}`);
      return [id];
    },
    tag: (id: string, ref: string) => {
      this.#failIf('tag');
      this.tags.set(ref, id);
      this.calls.push(`tag ${ref}`);
      return Promise.resolve();
    },
    remove: (ref: string) => {
      this.calls.push(`remove image ${ref}`);
      this.#images.delete(ref);
      return Promise.resolve();
    },
    pull: (ref: string) => {
      this.calls.push(`pull ${ref}`);
      return Promise.reject(new Error(`pull access denied for ${ref}`));
    },
    withLabel: (label: string, value: string) =>
      Promise.resolve(
        [...this.#images.values()]
          .filter((image) => (image.config.Labels as Record<string, string> | undefined)?.[label] === value)
          .map((image) => image.id),
      ),
  };
  readonly containers = {
    create: () => {
      this.#failIf('create');
      const id = `container-${this.containerIds.size}`;
      this.containerIds.add(id);
      this.calls.push(`create ${id}`);
      return Promise.resolve(id);
    },
    putArchive: (id: string, _path: string, archive: Readable) => {
      this.#failIf('put');
      this.calls.push(`put ${id}`);
      archive.resume();
      return Promise.resolve();
    },
    readFile: (_id: string, file: string) => {
      this.reads.push(file);
      if (file.endsWith('/release.py')) return Promise.resolve(Buffer.from("__version__ = '2.14.18'\n"));
      const os = file === '/usr/lib/os-release' ? this.options.osRelease : undefined;
      return Promise.resolve(os === undefined ? undefined : Buffer.from(os));
    },
    run: () => {
      this.#failIf('run');
      return Promise.resolve(this.options.exitCode ?? 0);
    },
    commit: (container: string) => {
      this.#failIf('commit');
      const layers = [...this.options.sourceLayers, this.options.runLayer];
      const id = this.#add(layers);
      this.calls.push(`commit ${container} ${id}`);
      return Promise.resolve(id);
    },
    remove: (id: string) => {
      this.containerIds.delete(id);
      this.calls.push(`remove container ${id}`);
      return Promise.resolve();
    },
  };
  readonly engine = {
    version: () =>
      Promise.resolve({
        product: this.options.product ?? 'docker',
        version: '20.10',
        apiVersion: '1.41',
        os: 'linux',
        arch: 'amd64',
      }),
    hasNetwork: () => Promise.resolve(false),
  };
  readonly tags = new Map<string, string>();
  readonly containerIds = new Set<string>();
  readonly #images = new Map<string, ImageDetails>();
  readonly #layers = new Map<string, Buffer[]>();

  constructor(readonly options: FakeEngineOptions) {
    this.tags.set('source:1', this.#add(options.sourceLayers, { Env: ['PATH=/bin'], Cmd: ['sh'] }));
  }

  prepareMounts(): ReturnType<ProvisionEngine['prepareMounts']> {
    return Promise.resolve({ volumesFrom: [], imageMounts: [] });
  }

  /** Image ids the engine holds (tagged or not). */
  get imageIds(): string[] {
    return [...this.#images.keys()];
  }

  #failIf(call: FakeFailure): void {
    if (this.options.fail === call) throw new Error(`engine failure: ${call}`);
  }

  #add(layers: Buffer[], config: Record<string, unknown> = {}): string {
    const id = `sha256:${sha256(layers.map((l) => sha256(l)).join() + JSON.stringify(config))}`;
    this.#images.set(id, { id, labels: {}, config, diffIds: layers.map((l) => `sha256:${sha256(l)}`), size: 1 });
    this.#layers.set(id, layers);
    return id;
  }

  /** Whether some image holds these layers, lowest first (a chain the engine has). */
  #holds(diffIds: readonly string[]): boolean {
    return [...this.#images.values()].some((image) => diffIds.every((d, i) => image.diffIds[i] === d));
  }

  async #load(archive: Readable): Promise<{ id: string; sent: number; named: number }> {
    const members = new Map<string, Buffer>();
    const extract = tarStream.extract();
    archive.pipe(extract);
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      members.set(entry.header.name, Buffer.concat(chunks));
    }
    const config = members.get('config.json') ?? Buffer.alloc(0);
    const id = `sha256:${sha256(config)}`;
    const parsed = JSON.parse(config.toString()) as { config: Record<string, unknown>; rootfs: { diff_ids: string[] } };
    const [manifest] = JSON.parse(members.get('manifest.json')?.toString() ?? '[]') as Array<{ Layers: string[] }>;
    const named = manifest?.Layers ?? [];
    for (const [i, member] of named.entries()) {
      const layer = members.get(member);
      const diffId = parsed.rootfs.diff_ids[i] ?? '';
      if (layer && `sha256:${sha256(layer)}` !== diffId) throw new Error(`${member} is not ${diffId}`);
      if (
        !layer &&
        (this.options.product === 'podman' ||
          this.options.fail === 'load-partial' ||
          !this.#holds(parsed.rootfs.diff_ids.slice(0, i + 1)))
      ) {
        throw new Error(`open ${member}: no such file or directory`);
      }
    }
    const sent = named.filter((m) => members.has(m)).length;
    const diffIds =
      this.options.fail === 'load-wrong-layers' ? parsed.rootfs.diff_ids.slice(1) : parsed.rootfs.diff_ids;
    this.#images.set(id, { id, labels: {}, config: parsed.config, diffIds, size: 2 });
    return { id, sent, named: named.length };
  }
}

/** provisionWith on a fake engine: source:1 provisioned as result:1, output discarded, any other option given. */
export function provisionOnFake(
  engine: FakeProvisionEngine,
  distro: Distro,
  inputs: ProvisionInputs,
  extra: Partial<ProvisionOptions> = {},
) {
  const options = { from: 'source:1', tag: 'result:1', stdout: new PassThrough(), stderr: new PassThrough() };
  return provisionWith(engine, distro, { playbook: inputs.playbook.file, ...options, ...extra }, inputs);
}
