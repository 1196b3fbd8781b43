import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { fixturesDir } from './paths.js';

export interface FixtureDistro {
  /** The copied distro folder. */
  dir: string;
  /** Scratch folder for --work-dir, --to and the like. */
  tmp: string;
  repository: string;
  volumePrefix: string;
  /** Removes the images and volume containers this fixture's runs created, and the folders. */
  cleanup(): Promise<void>;
}

/**
 * A copy of `test/fixtures/<name>/distro` whose repository and volume prefix are unique to this test run,
 * so runs never see each other's images or containers.
 */
export async function fixtureDistro(name: string): Promise<FixtureDistro> {
  const id = randomBytes(4).toString('hex');
  const tmp = await mkdtemp(path.join(os.tmpdir(), `dappdeps-it-${name}-`));
  const dir = path.join(tmp, 'distro');
  await cp(path.join(fixturesDir, name, 'distro'), dir, { recursive: true });
  const repository = `dappdeps-test-${id}`;
  const volumePrefix = `dappdeps-test-${id}-`;
  const settings = path.join(dir, 'distro.yaml');
  const text = await readFile(settings, 'utf8');
  await writeFile(
    settings,
    text
      .replace(/^repository: .*$/m, `repository: ${repository}`)
      .replace(/^volumePrefix: .*$/m, `volumePrefix: ${volumePrefix}`),
  );
  return {
    dir,
    tmp,
    repository,
    volumePrefix,
    async cleanup() {
      const docker = new Docker();
      for (const c of await docker.listContainers({ all: true })) {
        if (c.Names.some((n) => n.startsWith(`/${volumePrefix}`)))
          await docker.getContainer(c.Id).remove({ force: true, v: true });
      }
      for (const image of await docker.listImages()) {
        for (const tag of image.RepoTags ?? [])
          if (tag.startsWith(`${repository}/`)) await docker.getImage(tag).remove({ force: true });
      }
      await rm(tmp, { recursive: true, force: true });
    },
  };
}
