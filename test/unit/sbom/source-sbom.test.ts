import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv } from 'ajv';
import { loadDistro } from '../../../src/manifest/load-distro.js';
import { pinnedSources, sourceSbom } from '../../../src/sbom/source-sbom.js';
import { expect } from '../../support/expect.js';
import { fixturesDir, realDistroDir } from '../../support/paths.js';

describe('the SBOM of a source-strategy image (from its manifest, no build)', () => {
  it("lists every pinned source with its URL and checksum, and validates against SPDX 2.3's required fields (our schema of the specification)", async () => {
    const schema = JSON.parse(
      await readFile(path.join(fixturesDir, 'spdx/spdx-2.3-required.schema.json'), 'utf8'),
    ) as object;
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    const distro = await loadDistro(realDistroDir);
    const sourceImages = distro.images.filter((i) => i.manifest.source);
    expect(sourceImages.map((i) => i.name)).to.include.members(['toolchain', 'base', 'git', 'chefdk']);
    for (const image of sourceImages) {
      const doc = sourceSbom(distro, image) as {
        packages: { name: string; downloadLocation: string; checksums?: { checksumValue: string }[] }[];
      };
      expect(validate(doc), `${image.name}: ${JSON.stringify(validate.errors)}`).to.equal(true);
      const pins = pinnedSources(image);
      expect(doc.packages.length, image.name).to.be.greaterThan(1);
      expect(doc.packages.slice(1, pins.length + 1).map((p) => [p.name, p.downloadLocation])).to.deep.equal(
        pins.map((s) => [s.name, s.url]),
      );
      for (const [i, pin] of pins.entries())
        expect(doc.packages[i + 1]?.checksums?.[0]?.checksumValue, pin.name).to.equal(pin.sha256 ?? pin.md5);
      expect(sourceSbom(distro, image), 'the same manifest gives the same document').to.deep.equal(doc);
      const broken = {
        ...doc,
        spdxVersion: 'SPDX-2.2',
        packages: [{ ...doc.packages[0], downloadLocation: undefined }],
      };
      expect(validate(JSON.parse(JSON.stringify(broken))), 'the schema refuses what 2.3 forbids').to.equal(false);
    }
  });
});
