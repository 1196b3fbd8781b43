import { labels } from '../labels.js';
import type { ProvisionEngine } from './provision-engine.js';

/** Where os-release(5) says to look, in order; on Debian the first is a symlink to the second. */
const OS_RELEASE_FILES = ['/etc/os-release', '/usr/lib/os-release'];

/**
 * The image's os-release text, read without running the image: through a container that is created, read with
 * the archive API and removed, never started (so an image without a shell, or with an entrypoint, is no matter).
 * Undefined when the image has neither file (scratch, busybox).
 */
export async function readTargetOsRelease(
  engine: ProvisionEngine,
  image: string,
  name: string,
): Promise<string | undefined> {
  const id = await engine.containers.create({
    name,
    image,
    // never started: the command only has to be a command
    cmd: ['/.dapp/never-started'],
    env: [],
    volumesFrom: [],
    binds: [],
    tmpfs: {},
    network: 'none',
    labels: { [labels.provisionRun]: 'true' },
  });
  try {
    for (const file of OS_RELEASE_FILES) {
      const text = await engine.containers.readFile(id, file);
      if (text) return text.toString('utf8');
    }
    return undefined;
  } finally {
    await engine.containers.remove(id);
  }
}
