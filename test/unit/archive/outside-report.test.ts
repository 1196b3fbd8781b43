import fs from 'node:fs/promises';
import path from 'node:path';
import { extractImage } from '../../../src/image/extract-image.js';
import { DappdepsError } from '../../../src/errors.js';
import {
  type EntrySpec,
  dir,
  expect,
  file,
  listTree,
  saveOf,
  streamOf,
  symlink,
  tarOf,
  tempDir,
} from '../../support/archive-fixtures.js';

const PREFIX = '/.dapp/deps/x/1';
const prefixTree = (body = 'ok'): EntrySpec[] => [
  dir('./'),
  dir('.dapp/'),
  dir('.dapp/deps/'),
  dir('.dapp/deps/x/'),
  dir('.dapp/deps/x/1/'),
  file('.dapp/deps/x/1/f', body),
];
const KEPT = ['.dapp/', '.dapp/deps/', '.dapp/deps/x/', '.dapp/deps/x/1/', '.dapp/deps/x/1/f'];

/**
 * Class 4 of issue 9: what `onOutside` reports is what the final image holds outside the prefix, after every
 * layer: an entry a later layer replaced or removed is not reported, and a non-directory that replaces the
 * prefix's parent takes the prefix away (it is not kept from a lower layer).
 */
describe('archive: the outside report (issue 9, class 4)', () => {
  let parent: string;
  beforeEach(async () => {
    parent = await tempDir();
  });
  afterEach(() => fs.rm(parent, { recursive: true, force: true }));

  const reported: Array<[string, EntrySpec[][], string[]]> = [
    [
      'a symlink /.dapp replaced by a real directory in the next layer',
      [[dir('./'), symlink('.dapp', '/srv')], prefixTree()],
      [],
    ],
    [
      'a symlink /.dapp/deps replaced in the next layer',
      [[dir('./'), dir('.dapp/'), symlink('.dapp/deps', '/srv')], prefixTree()],
      [],
    ],
    ['a file /.dapp replaced in the next layer', [[dir('./'), file('.dapp', 'x')], prefixTree()], []],
    ['a symlink /.dapp replaced later in the same layer', [[dir('./'), symlink('.dapp', '/srv'), ...prefixTree()]], []],
    [
      'a symlink /.dapp whited out, then the prefix',
      [[dir('./'), symlink('.dapp', '/srv')], [file('.wh..dapp', '')], prefixTree()],
      [],
    ],
    ['a file outside whited out later', [[...prefixTree(), file('opt', 'x')], [file('.wh.opt', '')]], []],
    [
      'an outside directory replaced by a symlink: only the symlink',
      [
        [...prefixTree(), dir('opt/'), file('opt/a', 'x')],
        [dir('./'), symlink('opt', '/srv')],
      ],
      ['/opt'],
    ],
    [
      'an outside directory made opaque: only its new children',
      [
        [...prefixTree(), dir('etc/'), file('etc/x', 'x')],
        [dir('./'), dir('etc/'), file('etc/.wh..wh..opq', ''), file('etc/y', 'y')],
      ],
      ['/etc', '/etc/y'],
    ],
  ];
  for (const [label, layers, outside] of reported) {
    it(`reports what the final image holds: ${label}`, async () => {
      const seen: string[] = [];
      const target = path.join(parent, 'out');
      const archive = await saveOf(await Promise.all(layers.map((l) => tarOf(l))), { format: 'docker25' });
      await extractImage(streamOf(archive), { target, only: PREFIX, onOutside: (p) => seen.push(p) });
      expect(seen).to.deep.equal(outside);
      expect(await listTree(target)).to.deep.equal(KEPT);
    });
  }

  const prefixGone: Array<[string, EntrySpec[][]]> = [
    ['a symlink /.dapp over the prefix in the next layer', [prefixTree(), [dir('./'), symlink('.dapp', '/srv')]]],
    [
      'a file over the prefix directory in the next layer',
      [prefixTree(), [dir('./'), dir('.dapp/'), dir('.dapp/deps/'), file('.dapp/deps/x', 'x')]],
    ],
    ['a symlink /.dapp over the prefix later in the same layer', [[...prefixTree(), symlink('.dapp', '/srv')]]],
  ];
  for (const [label, layers] of prefixGone) {
    it(`finds no prefix when the final image has none: ${label}`, async () => {
      const seen: string[] = [];
      const target = path.join(parent, 'out');
      const archive = await saveOf(await Promise.all(layers.map((l) => tarOf(l))), { format: 'legacy', gzip: true });
      await expect(extractImage(streamOf(archive), { target, only: PREFIX, onOutside: (p) => seen.push(p) }))
        .to.be.rejectedWith(DappdepsError)
        .and.eventually.have.property('message')
        .that.matches(/nothing under \/\.dapp\/deps\/x\/1/);
      expect(await listTree(parent)).to.deep.equal([]);
    });
  }
});
