// One measurement in a fresh process, with the compiled library from dist/ (tsx would add ~40 MB of its own),
// printed as one JSON line with the process' peak RSS. Modes, so the RSS of an extraction can be read against
// what the process costs without it:
//   node bench/extract-child.mjs idle                           only load the modules
//   node bench/extract-child.mjs drain <image>                  read the `docker save` stream to its end, write nothing
//   node bench/extract-child.mjs extract <image> <target> <prefix>   `docker save` + extractImage(…, { only: prefix })
// `ms` is taken inside the process, from the save request to the end: node's startup is not counted.
import { extractImage } from '../dist/image/extract-image.js';
import { createDockerClient } from '../dist/docker/docker-client.js';

const [mode, image, target, prefix] = process.argv.slice(2);
const docker = createDockerClient();
const started = performance.now();
let report = {};
if (mode === 'drain' && image) {
  let bytes = 0;
  for await (const chunk of await docker.images.save(image)) bytes += chunk.length;
  report = { bytes };
} else if (mode === 'extract' && image && target && prefix) {
  const stats = await extractImage(await docker.images.save(image), { target, only: prefix });
  report = { bytes: stats.bytes, files: stats.files, format: stats.format };
} else if (mode !== 'idle') {
  throw new Error('usage: extract-child.mjs idle | drain <image> | extract <image> <target> <prefix>');
}
const ms = performance.now() - started;
console.log(JSON.stringify({ ...report, ms, maxRssKiB: process.resourceUsage().maxRSS }));
