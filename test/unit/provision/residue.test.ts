import type { TarEntryInfo } from '../../../src/archive/tar/filter-tar.js';
import {
  forbiddenEntries,
  isAnsibleLeftover,
  presentIn,
  residueCandidates,
  residueDrops,
} from '../../../src/provision/residue.js';
import { expect } from '../../support/expect.js';

const d = (path: string): TarEntryInfo => ({ path, type: 'Directory', mode: 0o755, size: 0 });
const f = (path: string): TarEntryInfo => ({ path, type: 'File', mode: 0o644, size: 1 });

describe('provision: residue of the run', () => {
  it("recognises Ansible's temporary files in any home and in /tmp, and whiteouts of them", () => {
    for (const p of [
      'root/.ansible/tmp',
      'root/.ansible/tmp/ansible-tmp-1/AnsiballZ_file.py',
      'home/app/.ansible/tmp',
      '.ansible/tmp',
      'tmp/.ansible',
      'tmp/.ansible-root/x',
      'tmp/ansible_apt_payload',
      'tmp/.wh..ansible',
    ])
      expect(isAnsibleLeftover(p), p).to.equal(true);
    for (const p of [
      'root/.ansible',
      'root/.ansible/collections/x',
      'srv/tmp/ansible',
      'tmp',
      'tmp/app',
      'etc/ansible',
    ])
      expect(isAnsibleLeftover(p), p).to.equal(false);
  });

  it('drops mount points and leftovers, keeps what the playbook made', () => {
    const entries = [d('.dapp'), d('.dapp/deps'), d('.dapp/deps/ansible/2'), d('srv'), f('srv/index.html')];
    expect([...residueDrops(entries, new Set(), '.dapp')]).to.have.members([
      '.dapp',
      '.dapp/deps',
      '.dapp/deps/ansible/2',
    ]);
  });

  it('drops a home or /tmp the image lacked once only leftovers were in it, deepest first', () => {
    const entries = [d('root'), d('root/.ansible'), d('root/.ansible/tmp'), d('tmp'), f('srv/x')];
    const candidates = residueCandidates(entries, '.dapp');
    expect(candidates).to.deep.equal(['root', 'root/.ansible', 'tmp']);
    const drop = residueDrops(entries, new Set(candidates), '.dapp');
    expect([...drop]).to.have.members(['root', 'root/.ansible', 'root/.ansible/tmp', 'tmp']);
  });

  it('keeps a candidate directory the image had, or one holding what the playbook made', () => {
    const entries = [
      d('root'),
      d('root/.ansible'),
      d('root/.ansible/tmp'),
      f('root/.bashrc'),
      d('tmp'),
      f('tmp/app.conf'),
    ];
    const drop = residueDrops(entries, new Set(['root', 'root/.ansible', 'tmp']), '.dapp');
    expect([...drop]).to.have.members(['root/.ansible', 'root/.ansible/tmp']);
    const had = residueDrops([d('tmp')], new Set(), '.dapp');
    expect([...had]).to.deep.equal([]);
  });

  it("drops the mount point of the image's own volume when the image lacked it", () => {
    const entries = [d('var'), d('var/lib'), d('var/lib/data'), d('srv'), f('srv/x')];
    const candidates = residueCandidates(entries, '.dapp', ['/var/lib/data/']);
    expect(candidates).to.deep.equal(['var', 'var/lib', 'var/lib/data']);
    expect([...residueDrops(entries, new Set(['var/lib/data']), '.dapp')]).to.deep.equal(['var/lib/data']);
  });

  it('does not drop files the playbook wrote under the dappdeps root: the result check refuses them', () => {
    const entries = [d('.dapp'), f('.dapp/oops')];
    expect([...residueDrops(entries, new Set(), '.dapp')]).to.deep.equal(['.dapp']);
    expect(forbiddenEntries([f('.dapp/oops'), f('srv/a'), d('root/.ansible/tmp')], '.dapp')).to.deep.equal([
      '/.dapp/oops',
      '/root/.ansible/tmp',
    ]);
  });
});

describe('provision: which candidate paths the source image holds', () => {
  it('follows the layers up, whiteouts and opaque directories hiding what is below', async () => {
    const wh = (p: string): TarEntryInfo => f(p);
    const layers = [
      [d('tmp'), d('root'), d('root/.ansible'), d('data')],
      [wh('.wh.tmp'), d('srv'), wh('root/.wh..wh..opq')],
      [d('tmp')],
    ];
    const present = await presentIn(layers, ['tmp', 'root', 'root/.ansible', 'data', 'home']);
    expect([...present].sort()).to.deep.equal(['data', 'root', 'tmp']);
  });

  it('a file put over a directory hides what the directory held', async () => {
    const layers = [[d('srv'), d('srv/www')], [f('srv')]];
    expect([...(await presentIn(layers, ['srv', 'srv/www']))]).to.deep.equal(['srv']);
  });
});
