import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import tarStream from 'tar-stream';
import type { ImageDetails } from '../../src/docker/types.js';
import type { ProvisionEngine } from '../../src/provision/provision-engine.js';
import { saveOf } from './archive-fixtures.js';

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** Which call fails, and how: a thrown engine error, or a load whose image lacks the layers it was written with. */
export type FakeFailure = 'create' | 'put' | 'run' | 'commit' | 'save' | 'load' | 'load-wrong-layers' | 'tag';

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
      const id = await this.#load(archive);
      this.calls.push(`load ${id}`);
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
      Promise.resolve({ product: 'docker' as const, version: '20.10', apiVersion: '1.41', os: 'linux', arch: 'amd64' }),
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

  async #load(archive: Readable): Promise<string> {
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
    const diffIds =
      this.options.fail === 'load-wrong-layers' ? parsed.rootfs.diff_ids.slice(1) : parsed.rootfs.diff_ids;
    this.#images.set(id, { id, labels: {}, config: parsed.config, diffIds, size: 2 });
    return id;
  }
}
