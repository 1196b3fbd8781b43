import { PassThrough } from 'node:stream';
import type { ContainerClient } from '../docker/container-client.js';
import { LockError } from '../errors.js';
import { parseLockScriptOutput, type LockScriptOutput } from './apt-records.js';

/**
 * Asks apt in a container of the base image, with the host's network to reach the mirror. Arguments are
 * passed as argv words (exec form, never pasted into the script), and were validated before: package names
 * and versions by the manifest's and the lock's patterns.
 *
 * `resolve IMAGE:pkg,pkg…`: what `apt-get install` would install for each image, then the index records of
 * those versions and of the base image's packages. `check name=version…`: the index records of exactly those
 * versions. Both end with the candidates (today's versions) of the same names, and start with the base image's
 * installed packages.
 */
const SCRIPT = `set -euo pipefail
export DEBIAN_FRONTEND=noninteractive LC_ALL=C
mode=$1
shift
apt-get update -qq >/dev/null
echo @@base
dpkg-query -W -f='\${Package}\\t\${Version}\\t\${Architecture}\\n'
if [ "$mode" = resolve ]; then
  inst=$(mktemp)
  for spec in "$@"; do
    IFS=, read -r -a pkgs <<<"\${spec#*:}"
    echo "@@install \${spec%%:*}"
    apt-get install -s --no-install-recommends "\${pkgs[@]}" | { grep '^Inst ' || true; } | tee -a "$inst"
  done
  mapfile -t pins < <({
    sed -E 's/^Inst ([^ ]+)( \\[[^]]*\\])? \\(([^ ]+) .*/\\1=\\3/' "$inst"
    dpkg-query -W -f='\${Package}=\${Version}\\n'
  } | sort -u)
else
  pins=("$@")
fi
echo @@exact
[ "\${#pins[@]}" -eq 0 ] || apt-cache show --no-all-versions "\${pins[@]}"
echo @@candidate
[ "\${#pins[@]}" -eq 0 ] || apt-cache show --no-all-versions "\${pins[@]%%=*}"
`;

export type AptQuery =
  { mode: 'resolve'; images: Record<string, readonly string[]> } | { mode: 'check'; pins: string[] };

export async function runAptQuery(
  containers: Pick<ContainerClient, 'run'>,
  baseImage: string,
  query: AptQuery,
  signal?: AbortSignal,
): Promise<LockScriptOutput> {
  const args =
    query.mode === 'resolve'
      ? Object.entries(query.images).map(([image, pkgs]) => `${image}:${pkgs.join(',')}`)
      : query.pins;
  const stdout = collect();
  const stderr = collect();
  const code = await containers.run({
    image: baseImage,
    cmd: ['bash', '-c', SCRIPT, 'dappdeps-apt-query', query.mode, ...args],
    volumesFrom: [],
    network: 'host',
    stdout: stdout.stream,
    stderr: stderr.stream,
    ...(signal ? { signal } : {}),
  });
  if (code !== 0) {
    const reason = stderr.text().trim().split('\n').slice(-5).join('; ') || `exit ${code}`;
    throw new LockError(
      `apt in ${baseImage} failed: ${reason}`,
      'check the package names in the manifests and that the mirror is reachable',
    );
  }
  return parseLockScriptOutput(stdout.text());
}

function collect(): { stream: PassThrough; text(): string } {
  const chunks: Buffer[] = [];
  const stream = new PassThrough();
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}
