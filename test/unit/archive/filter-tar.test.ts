import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { Header } from 'tar';
import { filterTar, type TarEntryInfo } from '../../../src/archive/tar/filter-tar.js';
import { DappdepsError } from '../../../src/errors.js';
import { dir, expect, file, tarOf } from '../../support/archive-fixtures.js';

const BLOCK = 512;
const pad = (b: Buffer): Buffer => Buffer.concat([b, Buffer.alloc((BLOCK - (b.length % BLOCK)) % BLOCK)]);

function headerBlock(data: ConstructorParameters<typeof Header>[0]): Buffer {
  const block = Buffer.alloc(BLOCK);
  new Header(data).encode(block, 0);
  return block;
}

/** A pax record `<len> key=value\n`, the length counting itself. */
function paxRecord(key: string, value: Buffer): Buffer {
  const rest = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
  let len = rest.length + 1;
  while (String(len).length + rest.length !== len) len = String(len).length + rest.length;
  return Buffer.concat([Buffer.from(String(len)), rest]);
}

/** A file entry preceded by a pax header carrying a binary xattr, as Go's archive/tar writes capabilities. */
function fileWithXattr(name: string, body: string, xattr: Buffer): Buffer {
  const pax = paxRecord('SCHILY.xattr.security.capability', xattr);
  return Buffer.concat([
    headerBlock({
      path: `PaxHeader/${name}`,
      type: 'ExtendedHeader',
      size: pax.length,
      mode: 0o644,
      mtime: new Date(0),
    }),
    pad(pax),
    headerBlock({ path: name, type: 'File', size: body.length, mode: 0o4755, mtime: new Date(0) }),
    pad(Buffer.from(body)),
  ]);
}

async function run(input: Buffer, keep: (e: TarEntryInfo) => boolean, chunk = 100): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for (let i = 0; i < input.length; i += chunk) pieces.push(input.subarray(i, i + chunk));
  return buffer(Readable.from(pieces).pipe(filterTar(keep)));
}

describe('provision: raw tar filter', () => {
  it('keeps every entry byte for byte when told to, whatever the chunking', async () => {
    const tar = await tarOf([
      dir('etc'),
      file('etc/motd', 'hello\n', 0o640),
      file('bin/tool', 'x'.repeat(1500), 0o4755),
    ]);
    for (const chunk of [1, 7, 512, 100_000]) expect((await run(tar, () => true, chunk)).equals(tar)).to.equal(true);
  });

  it('leaves out chosen entries with their data, and tells the decision the normal-form path and type', async () => {
    const tar = await tarOf([dir('./.dapp/'), dir('.dapp/deps'), file('srv/app', 'body'), file('.dapp/x', 'y')]);
    const seen: string[] = [];
    const out = await run(tar, (e) => {
      seen.push(`${e.type}:${e.path}`);
      return !e.path.startsWith('.dapp');
    });
    expect(seen).to.deep.equal(['Directory:.dapp', 'Directory:.dapp/deps', 'File:srv/app', 'File:.dapp/x']);
    expect(out.equals(await tarOf([file('srv/app', 'body')]))).to.equal(true);
  });

  it('copies pax records with binary values (file capabilities) unchanged, and drops them with their entry', async () => {
    const xattr = Buffer.from([0x01, 0x00, 0x00, 0x02, 0x0a, 0xff, 0x00, 0x20, 0x3d, 0x0a]);
    const kept = fileWithXattr('usr/bin/ping', 'ELF', xattr);
    const dropped = fileWithXattr('.dapp/leftover', 'junk', xattr);
    const end = Buffer.alloc(2 * BLOCK);
    const out = await run(Buffer.concat([dropped, kept, end]), (e) => !e.path.startsWith('.dapp'));
    expect(out.equals(Buffer.concat([kept, end]))).to.equal(true);
  });

  it('decides on the full path of long names (pax path and GNU long-name records)', async () => {
    const long = `srv/${'d'.repeat(120)}/${'f'.repeat(120)}`;
    const tar = await tarOf([file(long, 'a'), file('keep', 'b')]);
    const paths: string[] = [];
    await run(tar, (e) => {
      paths.push(e.path);
      return true;
    });
    expect(paths).to.deep.equal([long, 'keep']);

    const gnuName = Buffer.from(`${long}\0`);
    const gnu = Buffer.concat([
      headerBlock({ path: '././@LongLink', type: 'NextFileHasLongPath', size: gnuName.length, mtime: new Date(0) }),
      pad(gnuName),
      headerBlock({ path: long.slice(0, 99), type: 'File', size: 1, mode: 0o644, mtime: new Date(0) }),
      pad(Buffer.from('a')),
      Buffer.alloc(2 * BLOCK),
    ]);
    const gnuPaths: string[] = [];
    await run(gnu, (e) => {
      gnuPaths.push(e.path);
      return false;
    });
    expect(gnuPaths).to.deep.equal([long]);
  });

  it('fails on a truncated stream and on a corrupt header, and refuses ".." paths', async () => {
    const tar = await tarOf([file('a', 'x'.repeat(2000))]);
    await expect(run(tar.subarray(0, 1024), () => true)).to.be.rejectedWith(DappdepsError, /truncated/);
    const corrupt = Buffer.from(tar);
    corrupt[10] = corrupt[10] === 0 ? 1 : 0;
    await expect(run(corrupt, () => true)).to.be.rejectedWith(DappdepsError, /checksum/);
    const climbing = Buffer.concat([
      headerBlock({ path: '../etc/x', type: 'File', size: 0, mode: 0o644, mtime: new Date(0) }),
      Buffer.alloc(2 * BLOCK),
    ]);
    await expect(run(climbing, () => true)).to.be.rejectedWith(/"\.\." segment/);
  });
});
