import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import type { DockerClient } from '../../../src/index.js';

/**
 * The baseline: the base image with Debian's own ansible-core installed by apt, plus the tools our
 * ansible image brings as run-time dependencies (git; sudo from base). Without recommends, as a
 * provisioning image would be kept small: that still pulls in openssh-client.
 */
function dockerfile(baseImage: string): string {
  return `FROM ${baseImage}
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \\
      ansible-core git sudo >/dev/null
`;
}

function contextOf(text: string): Readable {
  const pack = tar.pack();
  pack.entry({ name: 'Dockerfile' }, text);
  pack.finalize();
  return Readable.from(pack);
}

/**
 * Builds the baseline image once per Dockerfile and base image (host network, to reach Debian's mirror);
 * later runs find it by its tag. Returns the tag.
 */
export async function ensureNativeImage(
  docker: DockerClient,
  baseImage: string,
  signal?: AbortSignal,
): Promise<string> {
  const base = await docker.images.inspect(baseImage);
  if (!base) throw new Error(`the base image ${baseImage} is missing: run \`npx dappdeps bootstrap ${baseImage}\``);
  const text = dockerfile(baseImage);
  const hash = createHash('sha256').update(base.id).update(text).digest('hex').slice(0, 12);
  const tag = `dappdeps-wtargets/native-ansible-core:${hash}`;
  if (await docker.images.inspect(tag)) return tag;
  await docker.images.build({
    image: 'native-ansible-core',
    context: contextOf(text),
    tag,
    labels: { 'io.dappdeps.test': 'ansible-targets' },
    onLine: () => undefined,
    idleTimeoutMs: 600_000,
    signal,
  });
  return tag;
}
