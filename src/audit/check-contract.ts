import { stat } from 'node:fs/promises';
import type { AuditRoot, Violation } from './audit-prefix.js';
import { explainResolution, ImageFs } from './image-fs.js';
import type { ImageModel } from '../manifest/model.js';

/**
 * The consumer contract: every tool the manifest's `bin` lists is an executable file at `<prefix>/bin/<tool>`,
 * reached (through symlinks, if any) without leaving the allowed prefixes. Consumers call these paths
 * directly, so a tool dropped by sealing breaks them even when everything left is sealed.
 */
export async function checkContract(image: ImageModel, roots: readonly AuditRoot[]): Promise<Violation[]> {
  const fs = new ImageFs(roots);
  const violations: Violation[] = [];
  for (const tool of image.manifest.bin) {
    const file = `${image.prefix}/bin/${tool}`;
    const what = `contract tool ${tool}`;
    const r = await fs.resolve(file);
    if (r.kind !== 'found') violations.push({ file, problem: explainResolution(what, file, r) });
    else if (r.type !== 'file') violations.push({ file, problem: `${what} is not a regular file` });
    else if (((await stat(r.local)).mode & 0o111) === 0)
      violations.push({ file, problem: `${what} is not executable` });
  }
  return violations;
}
