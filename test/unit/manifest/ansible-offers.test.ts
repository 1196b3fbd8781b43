import {
  ansibleOffers,
  chooseAnsibleSuite,
  parseOsRelease,
  upstreamVersion,
} from '../../../src/manifest/ansible-offers.js';
import { loadDistro } from '../../../src/manifest/load-distro.js';
import type { Distro } from '../../../src/manifest/model.js';
import { expect } from '../../support/expect.js';
import { realDistroDir } from '../../support/paths.js';

describe("the suites' Ansibles", () => {
  let suites: Distro[];
  before(async () => {
    suites = [await loadDistro(realDistroDir), await loadDistro(realDistroDir, 'trixie')];
  });

  it('are ansible-core 2.14 from bookworm and 2.19 from trixie, by the upstream version their tags start with', () => {
    expect(ansibleOffers(suites).map((o) => o.offer)).to.deep.equal([
      { core: '2.14.18', suite: 'bookworm' },
      { core: '2.19.11', suite: 'trixie' },
    ]);
    expect(upstreamVersion('2.19.11-1')).to.equal('2.19.11');
  });

  it('give a provision the suite to mount its Ansible from', () => {
    const trixie = chooseAnsibleSuite(suites, '2.19', undefined);
    expect(trixie.distro.suite.name).to.equal('trixie');
    expect(trixie.distro.index.image('ansible').prefix).to.equal('/.dapp/deps/ansible/2.19.11-1');
    expect(
      chooseAnsibleSuite(suites, undefined, parseOsRelease('ID=debian\nVERSION_ID="12"\n')).distro.suite.name,
    ).to.equal('bookworm');
    expect(chooseAnsibleSuite(suites, undefined, undefined).choice.offer.core).to.equal('2.19.11');
  });

  it('read os-release as the shell would: quoted or not, comments and other keys ignored', () => {
    const text = [
      '# comment',
      'PRETTY_NAME="Debian GNU/Linux 13 (trixie)"',
      "NAME='Debian GNU/Linux'",
      'VERSION_ID="13"',
      'VERSION_CODENAME=trixie',
      'ID=debian',
      'HOME_URL="https://www.debian.org/"',
      'BROKEN LINE',
    ].join('\n');
    expect(parseOsRelease(text)).to.deep.equal({
      PRETTY_NAME: 'Debian GNU/Linux 13 (trixie)',
      VERSION_ID: '13',
      VERSION_CODENAME: 'trixie',
      ID: 'debian',
    });
    expect(parseOsRelease('')).to.deep.equal({});
  });
});
