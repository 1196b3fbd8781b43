import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { extractImage } from '../../../src/image/extract-image.js';
import { DappdepsError } from '../../../src/errors.js';
import {
  dir,
  expect,
  file,
  listTree,
  saveOf,
  type SaveOptions,
  tarOf,
  tempDir,
} from '../../support/archive-fixtures.js';
import { memberOffsets } from '../../support/hostile-archives.js';
import { SAVE_READERS } from '../../support/image-readers.js';

/**
 * Class 1 of issue 9: a `docker save` stream that ends or fails anywhere (in a header, in manifest.json, at a
 * member boundary, inside a plain or gzip layer). Every cut must settle: a DappdepsError, no unhandled
 * rejection, nothing left beside the target; or, when the cut falls after everything the image needs, the
 * whole image.
 */
const FORMATS: Array<[string, Partial<SaveOptions>]> = [
  ['legacy', { format: 'legacy' }],
  ['legacy gzip', { format: 'legacy', gzip: true }],
  ['OCI', { format: 'oci' }],
  ['OCI gzip', { format: 'oci', gzip: true }],
  ['Docker 25', { format: 'docker25' }],
  ['Docker 25 gzip', { format: 'docker25', gzip: true }],
];

/** The archive's bytes up to `cut`, in 4 KiB chunks, then an end or an error (a dropped connection). */
function cutStream(archive: Buffer, cut: number, how: 'end' | 'error'): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let i = 0; i < cut; i += 4096) yield archive.subarray(i, Math.min(cut, i + 4096));
    if (how === 'error') throw new Error('socket hang up');
  }
  return Readable.from(chunks());
}

/** Inside every header, in the middle of every body, at the layers' boundaries, and through the big layer. */
function cutPoints(archive: Buffer): number[] {
  const cuts = new Set<number>([0]);
  for (const m of memberOffsets(archive)) {
    cuts.add(m.header + 100).add(Math.floor((m.data + m.end) / 2));
    if (m.end - m.data > 1024) cuts.add(m.data).add(m.end);
    if (m.end - m.data > 20000) for (let q = 1; q < 4; q++) cuts.add(m.data + Math.floor(((m.end - m.data) * q) / 4));
  }
  return [...cuts].filter((c) => c < archive.length).sort((a, b) => a - b);
}

describe('archive: broken streams (issue 9, class 1)', () => {
  const unhandled: unknown[] = [];
  const record = (reason: unknown) => unhandled.push(reason);
  let parent: string;
  before(() => process.on('unhandledRejection', record));
  after(() => process.off('unhandledRejection', record));
  beforeEach(async () => {
    parent = await tempDir();
    unhandled.length = 0;
  });
  afterEach(() => fs.rm(parent, { recursive: true, force: true }));

  for (const [label, opts] of FORMATS) {
    for (const how of ['end', 'error'] as const) {
      it(`${label}: a stream that ${how === 'end' ? 'ends' : 'fails'} anywhere settles cleanly`, async function () {
        this.timeout(20000); // dozens of extractions; a cut that never settles still fails here
        const big = randomBytes(64 * 1024).toString('latin1');
        const layers = [
          await tarOf([dir('./'), dir('./etc/'), file('./etc/hosts', 'localhost')]),
          await tarOf([
            dir('./'),
            dir('.dapp/'),
            dir('.dapp/deps/'),
            file('.dapp/deps/big', big),
            file('.dapp/deps/f', 'ok'),
          ]),
        ];
        const archive = await saveOf(layers, { format: 'legacy', ...opts });
        const cuts = cutPoints(archive);
        expect(cuts.length).to.be.greaterThan(15);
        for (const cut of cuts) {
          const target = path.join(parent, 'out');
          const outcome = await extractImage(cutStream(archive, cut, how), { target }).then(
            () => 'extracted',
            (err: unknown) => err,
          );
          await new Promise((resolve) => setImmediate(resolve)); // an unhandled rejection is reported by now
          expect(unhandled, `unhandled rejection at byte ${cut}`).to.deep.equal([]);
          if (outcome === 'extracted') {
            expect(how, `a failing stream extracted at byte ${cut}`).to.equal('end');
            expect(await fs.readFile(path.join(target, '.dapp/deps/f'), 'utf8')).to.equal('ok');
            await fs.rm(target, { recursive: true });
          } else {
            expect(outcome, `byte ${cut}`).to.be.instanceOf(DappdepsError);
          }
          expect(await listTree(parent), `left behind after a cut at byte ${cut}`).to.deep.equal([]);
        }
      });
    }
  }

  // The other readers, in the layouts each reads (gzip in one of them): every cut settles, as one DappdepsError.
  for (const reader of SAVE_READERS.filter((r) => r.name !== 'extraction')) {
    for (const [label, opts] of FORMATS.filter(([l]) => ['legacy', 'OCI gzip', 'Docker 25'].includes(l))) {
      if (!reader.formats.includes(opts.format ?? 'legacy')) continue;
      for (const how of ['end', 'error'] as const) {
        it(`${reader.name}, ${label}: a stream that ${how === 'end' ? 'ends' : 'fails'} anywhere settles`, async function () {
          this.timeout(20000);
          const layers = [
            await tarOf([dir('./'), dir('./etc/'), file('./etc/hosts', 'localhost')]),
            await tarOf([dir('./'), dir('.dapp/'), file('.dapp/big', randomBytes(48 * 1024).toString('latin1'))]),
          ];
          const archive = await saveOf(layers, { format: 'legacy', ...opts });
          for (const cut of cutPoints(archive)) {
            const work = await fs.mkdtemp(path.join(parent, 'r-'));
            const outcome = await reader.read(cutStream(archive, cut, how), work).then(
              () => 'read',
              (err: unknown) => err,
            );
            await new Promise((resolve) => setImmediate(resolve));
            expect(unhandled, `unhandled rejection at byte ${cut}`).to.deep.equal([]);
            if (outcome === 'read') expect(how, `a failing stream was read at byte ${cut}`).to.equal('end');
            else expect(outcome, `byte ${cut}: ${String(outcome)}`).to.be.instanceOf(DappdepsError);
            await fs.rm(work, { recursive: true, force: true });
          }
        });
      }
    }
  }
});
