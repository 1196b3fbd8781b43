import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { extractImage } from '../image/extract-image.js';
import type { DockerClient } from '../docker/docker-client.js';
import { DappdepsError } from '../errors.js';
import type { Distro } from '../manifest/model.js';
import { packageRoot } from '../package-root.js';
import { provisionImage, type ProvisionResult } from '../provision/provision-image.js';
import { ensureSmokeTargets } from '../verify/smoke-targets.js';

/** The example playbook the demo provisions (shipped with the package). */
export const DEMO_PLAYBOOK = path.join(packageRoot, 'examples/website/site.yml');

export interface DemoResult {
  /** The image provisioned: scratch + static busybox, no libc, no Python, no git. */
  target: string;
  provision: ProvisionResult;
  /** Every path under /.dapp in the result's file system, read back from its `docker save` (must be none). */
  underDapp: string[];
  /** The result's Cmd next to the target's (a plain `docker commit` would have replaced it). */
  cmd: { target: unknown; result: unknown };
  /** The home page's title, read back from the result. */
  title: string;
}

/**
 * The seed article's promise, shown with `provisionImage` (the playbook's folder sent into the container, nothing
 * bind-mounted): the example website playbook (file, template, copy,
 * lineinfile, git and command modules) runs in an image with no libc, and the result is read back from its
 * `docker save` with the archive reader (not the code that wrote it) to show that nothing of dappdeps is in it.
 */
export async function runAnsibleDemo(
  docker: DockerClient,
  distro: Distro,
  signal: AbortSignal,
  out: NodeJS.WritableStream,
  onStep?: (text: string) => void,
): Promise<DemoResult> {
  const [busybox] = await ensureSmokeTargets(docker, distro, signal);
  if (!busybox) throw new DappdepsError('no busybox target image');
  const provision = await provisionImage(docker, distro, {
    playbook: DEMO_PLAYBOOK,
    from: busybox.image,
    tag: `${distro.settings.repository}/demo:latest`,
    // the demo shows a run, not a cache hit
    noCache: true,
    stdout: out,
    stderr: out,
    onStep,
    signal,
  });
  const target = await docker.images.inspect(busybox.image);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-demo-'));
  try {
    const root = path.join(dir, 'root');
    await extractImage(await docker.images.save(provision.tag), { target: root });
    const underDapp = await listTree(root, distro.settings.prefixRoot.split('/').find(Boolean) ?? '.dapp');
    const page = await readFile(path.join(root, 'srv/www/index.html'), 'utf8');
    return {
      target: busybox.image,
      provision,
      underDapp,
      cmd: { target: target?.config.Cmd ?? null, result: provision.config.Cmd ?? null },
      title: /<h1>(.*)<\/h1>/.exec(page)?.[1] ?? '',
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `/rel` and everything below it, or nothing when it does not exist. */
async function listTree(root: string, rel: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(path.join(root, rel), { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const found = [`/${rel}`];
  for (const e of entries) {
    const child = path.join(rel, e.name);
    found.push(...(e.isDirectory() ? await listTree(root, child) : [`/${child}`]));
  }
  return found;
}
