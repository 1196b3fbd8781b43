import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { selectVersioned, suitesWithNames } from '../../../src/cli/suite-option.js';
import { ManifestError, UsageError } from '../../../src/errors.js';
import { loadDistro } from '../../../src/manifest/load-distro.js';
import { volumeContainerName } from '../../../src/manifest/model.js';
import { lockLocation } from '../../../src/lock/lock-location.js';
import { expect } from '../../support/expect.js';

const settings = `prefixRoot: /.dapp/deps
repository: t
volumePrefix: t-
architecture: { gnu: x86_64, debian: amd64 }
labels: { source: https://example.com/x }
source: { baseImage: "ubuntu:16.04" }
binary: { baseImage: "debian:bookworm", suite: bookworm, vars: { py: "11" } }
suites:
  trixie: { baseImage: "debian:trixie", vars: { py: "13" } }
`;
const tool = (suites: string) => `name: tool
version: 1.0-1
${suites}
description: a tool
bin: [tool]
binary:
  packages:
    - python3.{py}-minimal
  drop:
    - lib/python3.{py}/test
smoke:
  - { run: [bin/tool], expect: "tool {v}" }
vars: { v: one }
`;
const other = `name: other
version: 2.0-1
description: only in the default suite
binary: { packages: [other] }
`;

describe('suites', () => {
  let dir: string;
  const write = async (files: Record<string, string>) => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-suites-'));
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  };
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("complete one manifest with each suite's variables and version", async () => {
    await write({
      'distro.yaml': settings,
      'tool.yaml': tool('suites:\n  trixie: { version: 2.0-1, vars: { v: two } }'),
      'other.yaml': other,
    });
    const bookworm = await loadDistro(dir);
    const trixie = await loadDistro(dir, 'trixie');
    expect(bookworm.images.map((i) => i.name)).to.deep.equal(['other', 'tool']);
    expect(trixie.images.map((i) => i.name)).to.deep.equal(['tool']);
    const [a, b] = [bookworm.index.image('tool'), trixie.index.image('tool')];
    expect([a.prefix, b.prefix]).to.deep.equal(['/.dapp/deps/tool/1.0-1', '/.dapp/deps/tool/2.0-1']);
    expect(a.manifest.binary?.packages).to.deep.equal(['python3.11-minimal']);
    expect(b.manifest.binary?.packages).to.deep.equal(['python3.13-minimal']);
    expect(b.manifest.binary?.drop).to.deep.equal(['lib/python3.13/test']);
    expect([a.manifest.smoke[0]?.expect, b.manifest.smoke[0]?.expect]).to.deep.equal(['tool one', 'tool two']);
    expect(trixie.settings.binary.baseImage).to.equal('debian:trixie');
    // each suite has its own lock and containers; the default keeps the plain names
    expect([lockLocation(bookworm).file, lockLocation(trixie).file]).to.deep.equal([
      'distro.lock',
      'distro.trixie.lock',
    ]);
    expect(lockLocation(trixie).command).to.equal('dappdeps lock --suite trixie');
    expect([volumeContainerName(bookworm, a), volumeContainerName(trixie, b)]).to.deep.equal([
      't-tool',
      't-tool-trixie',
    ]);
  });

  it('refuse a suite distro.yaml does not have, and a version two suites share, at its line', async () => {
    await write({
      'distro.yaml': settings,
      'tool.yaml': tool('suites:\n  trixie: { version: 1.0-1 }\n  sid: { version: 3.0-1 }'),
    });
    const error = await loadDistro(dir).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ManifestError);
    expect((error as ManifestError).message).to.match(
      /tool\.yaml:4:\d+: suites\.trixie\.version: version 1\.0-1 is the bookworm suite's too/,
    );
    expect((error as ManifestError).message).to.include('suites.sid: distro.yaml has no suite "sid"');
    await expect(loadDistro(dir, 'buster')).to.be.rejectedWith(
      UsageError,
      /suite "buster" is not one of distro.yaml's suites \(bookworm, trixie\)/,
    );
  });

  it('parse a file again when its text changed since the last load, and not trust a stale parse', async () => {
    await write({ 'distro.yaml': settings, 'tool.yaml': tool(''), 'other.yaml': other });
    expect((await loadDistro(dir)).index.image('other').version).to.equal('2.0-1');
    await writeFile(path.join(dir, 'other.yaml'), other.replace('2.0-1', '2.1-1'));
    expect((await loadDistro(dir)).index.image('other').version).to.equal('2.1-1');
    await writeFile(path.join(dir, 'other.yaml'), other.replace('version: 2.0-1', 'version: [2.0-1'));
    await expect(loadDistro(dir)).to.be.rejectedWith(
      ManifestError,
      /other\.yaml:3:1: Flow sequence in block collection/,
    );
  });

  it('leave a placeholder no suite defines to the patterns, which refuse it', async () => {
    await write({ 'distro.yaml': settings, 'tool.yaml': tool('').replace('{py}-minimal', '{pyy}-minimal') });
    await expect(loadDistro(dir)).to.be.rejectedWith(
      ManifestError,
      /binary\.packages\[0\]: must be a Debian package name/,
    );
  });

  it('pick the suite from name@version, and the default without one', async () => {
    await write({
      'distro.yaml': settings,
      'tool.yaml': tool('suites:\n  trixie: { version: 2.0-1 }'),
      'other.yaml': other,
    });
    const distros = [await loadDistro(dir), await loadDistro(dir, 'trixie')];
    expect(selectVersioned(distros, ['tool@2']).distro.suite.name).to.equal('trixie');
    expect(selectVersioned(distros, ['tool@2.0-1']).images.map((i) => i.version)).to.deep.equal(['2.0-1']);
    expect(selectVersioned(distros, ['tool@trixie']).distro.suite.name).to.equal('trixie');
    expect(selectVersioned(distros, ['tool', 'other']).distro.suite.name).to.equal('bookworm');
    expect(() => selectVersioned(distros, ['tool@3'])).to.throw(
      UsageError,
      'no suite has tool@3; there are tool@1.0-1 (bookworm), tool@2.0-1 (trixie)',
    );
    expect(() => selectVersioned(distros, ['tool@2', 'other'])).to.throw(UsageError, /not all in one suite/);
    expect(() => selectVersioned(distros, ['nope'])).to.throw(UsageError, /unknown image "nope"/);
    expect(suitesWithNames(distros, ['other']).map(([d, n]) => [d.suite.name, n])).to.deep.equal([
      ['bookworm', ['other']],
    ]);
    expect(() => suitesWithNames(distros, ['nope'])).to.throw(UsageError, /unknown image/);
  });
});
