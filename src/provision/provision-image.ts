import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DockerClient } from '../docker/docker-client.js';
import { DappdepsError, UsageError } from '../errors.js';
import { volumeContainerName, type Distro, type Strategy } from '../manifest/model.js';
import { mountFlags } from '../mounts/mount-flags.js';
import { chooseMountMode, type MountMode, type MountModeOption } from '../mounts/mount-mode.js';
import { mountSources } from '../mounts/mount-sources.js';
import { prepareMounts } from '../mounts/prepare-mounts.js';
import type { ConfigChanges, RunConfig } from './config-changes.js';
import { listLayer, writeFilteredLayer } from './layer-files.js';
import { loadArchive } from './load-archive.js';
import { extraVarsArgs, readPlaybook } from './playbook-input.js';
import { provenanceLabels } from './provenance.js';
import { engineResidue } from './engine-residue.js';
import { isPackageCache } from './package-caches.js';
import { forbiddenEntries, presentIn, residueCandidates, residueDrops } from './residue.js';
import { resultConfig } from './result-config.js';
import { saveToDisk, type LayerFile } from './saved-image.js';
import { runSpec, workPaths } from './run-spec.js';
import { smokeTargetOfImage } from '../verify/target-names.js';

export interface ProvisionOptions {
  /** The playbook file; its folder is mounted read-only beside it. */
  playbook: string;
  /** The image to provision (IMAGE): its layers are kept, one layer is added. */
  from: string;
  /** The result's `name:tag`; created or moved only when everything succeeded. */
  tag: string;
  /** `--extra-vars` values: `key=value`, a JSON object or `@file`. */
  extraVars?: string[];
  tags?: string[];
  skipTags?: string[];
  /** `host`, `none` or a network's name; default: `bridge` where the engine has one, else `host`. */
  network?: string;
  changes?: ConfigChanges;
  /** Keep what the run put in package managers' download caches (apt's lists…): left as IMAGE had them otherwise. */
  keepCaches?: boolean;
  /** On a failing playbook, keep the container to look inside (its name is in the error). */
  keepFailed?: boolean;
  /** Which build of the dappdeps images to mount (default: binary). */
  strategy?: Strategy;
  /**
   * How they are mounted: `image` mounts the images themselves (Engine API >= 1.48), `volumes-from` their
   * volume containers; `auto` (default) image mounts where the engine has them. Asking for `image` on an
   * engine without them falls back to volume containers, saying so through `onStep`.
   */
  mountMode?: MountModeOption;
  /** Ansible's output. */
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** One line per step, for progress. */
  onStep?: (text: string) => void;
  signal?: AbortSignal;
}

export interface ProvisionResult {
  tag: string;
  id: string;
  from: { ref: string; id: string; size: number };
  /** The result image's size (the source's plus the new layer). */
  size: number;
  /** The one new layer, after the run's residue was removed. */
  layer: { diffId: string; bytes: number; entries: number; removed: string[] };
  network: string;
  /** How the dappdeps images were mounted. */
  mountMode: MountMode;
  labels: Record<string, string>;
  config: RunConfig;
}

/** `name[:tag]` as docker accepts it (lowercase path components, optional registry port, optional tag). */
const REFERENCE =
  /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?$/;

/**
 * Runs the playbook with ansible-playbook from the ansible image (its run-time dependencies mounted
 * read-only beside it) in a container of `from`, against localhost with the local connection, then commits
 * it and rewrites the commit: `from`'s layers unchanged plus one layer with exactly the playbook's changes
 * (nothing under the dappdeps root, no Ansible leftovers, no directory only the run needed, package managers'
 * download caches as `from` had them unless `keepCaches`), and `from`'s
 * configuration with the requested changes and provenance labels. The result is checked before `tag` is
 * created or moved; on any failure nothing is tagged and the container and temporary images are removed.
 */
export async function provisionImage(
  docker: DockerClient,
  distro: Distro,
  options: ProvisionOptions,
): Promise<ProvisionResult> {
  const step = options.onStep ?? (() => undefined);
  if (!REFERENCE.test(options.tag)) throw new UsageError(`--tag ${options.tag}: not an image name[:tag]`);
  const playbook = await readPlaybook(options.playbook);
  const extraVars = await extraVarsArgs(options.extraVars ?? []);

  const source = await docker.imageStore.details(options.from);
  if (!source) throw missingImage(options.from);
  const strategy = options.strategy ?? 'binary';
  const ansible = distro.index.image('ansible');
  const deps = distro.index.withRunDeps([ansible]);
  const engine = await docker.engine.version();
  const { mode, notice } = chooseMountMode(options.mountMode ?? 'auto', engine);
  if (notice) step(notice);
  const mounts = await prepareMounts(docker, distro, [ansible], strategy, mode);
  const depImages = await Promise.all(
    deps.map(async (image) => {
      const ref = distro.index.tag(image, strategy);
      return { ref, id: (await docker.imageStore.details(ref))?.id ?? '' };
    }),
  );
  // Podman's compatible API lists a `bridge` it may have no plugins to set up (Debian's podman has none).
  const bridge = engine.product === 'docker' && (await docker.workContainers.hasNetwork('bridge'));
  const network = options.network ?? (bridge ? 'bridge' : 'host');
  const paths = workPaths(distro);
  const name = `dappdeps-provision-${randomBytes(6).toString('hex')}`;
  const spec = runSpec({
    name,
    image: source.id,
    ansiblePrefix: ansible.prefix,
    playbook,
    paths,
    extraVars,
    tags: options.tags ?? [],
    skipTags: options.skipTags ?? [],
    network,
    mounts,
  });

  const work = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-provision-'));
  let container: string | undefined;
  let committed: string | undefined;
  try {
    step(`running ${path.basename(playbook.file)} in ${options.from} (network ${network})`);
    container = await docker.workContainers.create(spec);
    // Read before the run: from the volume container, or, with image mounts, through the created container.
    const version = await ansibleVersion(
      docker,
      mode === 'volumes-from' ? volumeContainerName(distro, ansible) : container,
      ansible.prefix,
    );
    const code = await docker.workContainers.run(container, options);
    if (code !== 0) {
      if (options.keepFailed) {
        const kept = container;
        container = undefined;
        throw new DappdepsError(
          keptMessage(
            code,
            kept,
            mountFlags(mountSources(distro, [ansible], strategy), mode === 'image' ? 'docker-run' : 'volumes-from'),
            distro,
          ),
        );
      }
      throw new DappdepsError(`the playbook failed (ansible-playbook exited ${code}); no image was tagged`);
    }
    step('committing the container');
    committed = await docker.workContainers.commit(container);
    await docker.workContainers.remove(container);
    container = undefined;

    step('rewriting the new layer (removing mount points, Ansible leftovers and package caches)');
    const saved = await saveToDisk(await docker.images.save(committed), work);
    const top = saved.layers.at(-1);
    if (!top || saved.layers.length !== source.diffIds.length + 1) {
      throw new DappdepsError(
        `the committed image has ${saved.layers.length} layers, not ${source.diffIds.length + 1}`,
      );
    }
    const entries = await listLayer(top);
    const imageVolumes = Object.keys((source.config as RunConfig).Volumes ?? {});
    const engineMade = engineResidue(engine.product, entries);
    const candidates = [...residueCandidates(entries, paths.root, imageVolumes), ...engineMade.dirs];
    const lacking = await lackingInSource(saved.layers.slice(0, -1), candidates);
    const drop = residueDrops(entries, lacking, paths.root, engineMade.files);
    if (!options.keepCaches) for (const entry of entries) if (isPackageCache(entry.path)) drop.add(entry.path);
    const layerFile = path.join(work, 'layer.tar');
    const layerDiffId = await writeFilteredLayer(top, (entry) => !drop.has(entry.path), layerFile);

    const kept = await listLayer({ file: layerFile, gzip: false });
    const forbidden = forbiddenEntries(kept, paths.root);
    if (forbidden.length > 0) {
      throw new DappdepsError(
        `the new layer would hold ${forbidden.length} entries where dappdeps mounts or Ansible keeps its temporary files: ${forbidden.slice(0, 10).join(', ')}${forbidden.length > 10 ? ', …' : ''}; nothing was tagged`,
      );
    }

    const labels = provenanceLabels({
      playbookSha256: playbook.sha256,
      ansibleVersion: version,
      deps: depImages,
      from: { ref: options.from, id: source.id },
    });
    const changes: ConfigChanges = { ...options.changes, labels: { ...options.changes?.labels, ...labels } };
    const config = resultConfig({
      committed: saved.config,
      source: { config: source.config as RunConfig, diffIds: source.diffIds },
      layerDiffId,
      changes,
      createdBy: `dappdeps provision ${path.basename(playbook.file)} (sha256:${playbook.sha256})`,
    });

    step(`loading the result and tagging it ${options.tag}`);
    const id = await loadChecked(docker, config, [...saved.layers.slice(0, -1).map((l) => l.file), layerFile], {
      diffIds: [...source.diffIds, layerDiffId],
      signal: options.signal,
    });
    await docker.imageStore.tag(id, options.tag);
    const result = await docker.imageStore.details(id);
    return {
      tag: options.tag,
      id,
      from: { ref: options.from, id: source.id, size: source.size },
      size: result?.size ?? 0,
      layer: {
        diffId: layerDiffId,
        bytes: (await stat(layerFile)).size,
        entries: kept.length,
        removed: [...drop].sort().map((p) => `/${p}`),
      },
      network,
      mountMode: mode,
      labels,
      config: (result?.config ?? {}) as RunConfig,
    };
  } finally {
    if (container) await docker.workContainers.remove(container);
    if (committed) await docker.images.remove(committed);
    await rm(work, { recursive: true, force: true });
  }
}

function missingImage(ref: string): DappdepsError {
  const target = smokeTargetOfImage(ref);
  const hint = target
    ? `make it: \`dappdeps targets ${target}\``
    : /^debian:[a-z]+$/.test(ref)
      ? `make it without a registry: \`dappdeps bootstrap ${ref}\``
      : 'pull, load or build it first';
  return new DappdepsError(`image ${ref} does not exist`, { exitCode: 2, hint });
}

function keptMessage(code: number, container: string, mounts: string, distro: Distro): string {
  const bash = `${distro.index.image('base').prefix}/bin/bash`;
  return [
    `the playbook failed (ansible-playbook exited ${code}); no image was tagged. Kept the container ${container}:`,
    `  docker diff ${container}                      # what the run changed`,
    `  docker commit ${container} ${container}:debug && docker run --rm -it ${mounts} --entrypoint ${bash} ${container}:debug`,
    `  docker rm -v ${container} && docker rmi ${container}:debug   # clean up`,
  ].join('\n');
}

/** Of the candidate directories, those the source image (its layers, lowest first) does not have. */
async function lackingInSource(layers: readonly LayerFile[], candidates: string[]): Promise<Set<string>> {
  if (candidates.length === 0) return new Set();
  const present = presentIn(await Promise.all(layers.map((layer) => listLayer(layer))), candidates);
  return new Set(candidates.filter((c) => !present.has(c)));
}

/** Ansible's own version (ansible-core's release.py in the prefix), for the provenance label. */
async function ansibleVersion(docker: DockerClient, container: string, prefix: string): Promise<string> {
  const release = await docker.workContainers.readFile(
    container,
    `${prefix}/lib/python3/dist-packages/ansible/release.py`,
  );
  return /__version__\s*=\s*['"]([^'"]+)['"]/.exec(release?.toString('utf8') ?? '')?.[1] ?? 'unknown';
}

/** Loads the archive and returns the image's id once the engine holds it with exactly the expected layers. */
async function loadChecked(
  docker: DockerClient,
  config: Buffer,
  layerFiles: string[],
  expect: { diffIds: string[]; signal?: AbortSignal },
): Promise<string> {
  const id = `sha256:${createHash('sha256').update(config).digest('hex')}`;
  const existed = (await docker.imageStore.details(id)) !== undefined;
  try {
    const loaded = await docker.imageStore.load(loadArchive(config, layerFiles), expect.signal);
    const image = await docker.imageStore.details(id);
    if (!image || (loaded.length > 0 && !loaded.includes(id))) {
      throw new DappdepsError(`the engine loaded ${loaded.join(', ') || 'nothing'}, not the rewritten image ${id}`);
    }
    if (image.diffIds.join() !== expect.diffIds.join()) {
      throw new DappdepsError(`the loaded image ${id} does not have the layers it was written with`);
    }
    return id;
  } catch (error) {
    if (!existed) await docker.images.remove(id).catch(() => undefined);
    throw error;
  }
}
