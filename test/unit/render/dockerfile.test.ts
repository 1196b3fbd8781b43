import path from 'node:path';
import { expect } from 'chai';
import { DockerfileParser, type Copy, type Instruction, type Label } from 'dockerfile-ast';
import { loadDistro } from '../../../src/manifest/load-distro.js';
import { packageRoot } from '../../../src/package-root.js';
import type { Distro, ImageModel } from '../../../src/manifest/model.js';
import type { SourceArchive } from '../../../src/manifest/schema.js';
import { renderDistro, type RenderedContext } from '../../../src/render/render-distro.js';

/** The sources a manifest's source strategy downloads. */
function pinnedSources(image: ImageModel): Pick<SourceArchive, 'url' | 'md5' | 'sha256'>[] {
  const source = image.manifest.source;
  if (!source) return [];
  if (source.kind === 'lfs') return source.sources;
  if (source.kind === 'omnibus') return source.software;
  return [source.archive];
}

/** Instructions grouped by stage (each starts with its FROM). */
function stages(text: string): Instruction[][] {
  const out: Instruction[][] = [];
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    if (instruction.getKeyword() === 'FROM') out.push([]);
    out.at(-1)?.push(instruction);
  }
  return out;
}

describe('rendered Dockerfiles of the real distro', () => {
  let distro: Distro;
  let dockerfiles: { ctx: RenderedContext; text: string }[];
  before(async () => {
    distro = await loadDistro(path.join(packageRoot, 'distro'));
    dockerfiles = (await renderDistro(distro)).map((ctx) => ({ ctx, text: String(ctx.files.get('Dockerfile')) }));
  });

  it('renders one Dockerfile per image and strategy', () => {
    expect(dockerfiles.map((d) => d.ctx.dir)).to.include.members([
      'toolchain/source',
      'base/source',
      'git/source',
      'ansible/source',
      'chefdk/source',
    ]);
  });

  it('ends in a scratch stage holding only the prefix, labelled, with CMD ["no-such-cmd"]', () => {
    for (const { ctx, text } of dockerfiles) {
      const all = stages(text);
      expect(all.length, ctx.dir).to.be.greaterThan(1);
      const final = all.at(-1) ?? [];
      expect(final[0]?.getArgumentsContent(), ctx.dir).to.equal('scratch');
      const keywords = final.map((i) => i.getKeyword());
      expect(
        keywords.filter((k) => !['FROM', 'COPY', 'LABEL', 'CMD'].includes(k)),
        ctx.dir,
      ).to.deep.equal([]);
      const copies = final.filter((i): i is Copy => i.getKeyword() === 'COPY');
      const prefix = ctx.image.prefix;
      expect(
        copies.map((c) => `--from=${c.getFromFlag()?.getValue()} ${c.getArgumentsContent()}`),
        ctx.dir,
      ).to.deep.equal([
        // binary: the sealed prefix staged with its parent folders (times normalised) in /dappdeps-out
        ctx.strategy === 'binary' ? '--from=build /dappdeps-out/ /' : `--from=build ${prefix} ${prefix}`,
      ]);
      expect(
        final.filter((i) => i.getKeyword() === 'CMD').map((c) => c.getArgumentsContent()),
        ctx.dir,
      ).to.deep.equal(['["no-such-cmd"]']);
      const labels = new Map(
        final
          .filter((i): i is Label => i.getKeyword() === 'LABEL')
          .flatMap((l) =>
            l.getProperties().map((p) => [p.getName(), p.getUnescapedValue()?.replace(/^"(.*)"$/, '$1')]),
          ),
      );
      for (const key of [
        'org.opencontainers.image.version',
        'org.opencontainers.image.source',
        'io.dappdeps.name',
        'io.dappdeps.version',
        'io.dappdeps.strategy',
      ]) {
        expect(labels.has(key), `${ctx.dir}: label ${key}`).to.equal(true);
      }
      expect(labels.get('io.dappdeps.version'), ctx.dir).to.equal(ctx.image.version);
      expect(labels.get('io.dappdeps.strategy'), ctx.dir).to.equal(ctx.strategy);
    }
  });

  it('downloads every source of a manifest in the same RUN that verifies its checksum', () => {
    for (const { ctx, text } of dockerfiles.filter((d) => d.ctx.strategy === 'source')) {
      const runs = stages(text)
        .flat()
        .filter((i) => i.getKeyword() === 'RUN')
        .map((r) => r.getArgumentsContent() ?? '');
      for (const source of pinnedSources(ctx.image)) {
        const run = runs.find((r) => r.includes(source.url));
        expect(run, `${ctx.dir}: ${source.url} is downloaded`).to.be.a('string');
        const [tool, sum] = source.sha256 ? ['sha256sum -c', source.sha256] : ['md5sum -c', source.md5 ?? ''];
        expect(run, `${ctx.dir}: ${source.url} is verified`).to.include(tool).and.to.include(`${sum} `);
      }
    }
  });

  it('never pipes a download into a shell', () => {
    for (const { dir, files } of dockerfiles.map((d) => d.ctx)) {
      // A downloader (curl, wget, fetch) whose output flows into a shell, on one logical line.
      for (const [rel, text] of files) {
        expect(String(text).replace(/\\\n/g, ' '), `${dir}/${rel}`).not.to.match(
          /\b(?:curl|wget|fetch)\b[^\n]*\|\s*(?:sudo\s+)?(?:ba|da|z)?sh\b/,
        );
      }
    }
  });
});
