import { UsageError } from '../../../src/errors.js';
import {
  chooseAnsible,
  minor,
  targetAptRelease,
  type AnsibleOffer,
  type OsRelease,
} from '../../../src/manifest/choose-ansible.js';
import { expect } from '../../support/expect.js';

const trixie: AnsibleOffer = { core: '2.19.11', suite: 'trixie' };
const bookworm: AnsibleOffer = { core: '2.14.18', suite: 'bookworm' };
const both = [bookworm, trixie];

// os-release fields as these images have them
const os: Record<string, OsRelease> = {
  bullseye: {
    ID: 'debian',
    VERSION_ID: '11',
    VERSION_CODENAME: 'bullseye',
    PRETTY_NAME: 'Debian GNU/Linux 11 (bullseye)',
  },
  bookworm: {
    ID: 'debian',
    VERSION_ID: '12',
    VERSION_CODENAME: 'bookworm',
    PRETTY_NAME: 'Debian GNU/Linux 12 (bookworm)',
  },
  trixie: { ID: 'debian', VERSION_ID: '13', VERSION_CODENAME: 'trixie', PRETTY_NAME: 'Debian GNU/Linux 13 (trixie)' },
  sid: { ID: 'debian', VERSION_CODENAME: 'forky', PRETTY_NAME: 'Debian GNU/Linux forky/sid' },
  ubuntu: {
    ID: 'ubuntu',
    ID_LIKE: 'debian',
    VERSION_ID: '24.04',
    VERSION_CODENAME: 'noble',
    PRETTY_NAME: 'Ubuntu 24.04 LTS',
  },
  alpine: { ID: 'alpine', VERSION_ID: '3.20.0', PRETTY_NAME: 'Alpine Linux v3.20' },
  raspbian: { ID: 'raspbian', ID_LIKE: 'debian', VERSION_ID: '12', VERSION_CODENAME: 'bookworm' },
};

describe('choosing the Ansible of a provision', () => {
  it('gives a target with no apt (no os-release, alpine) the newest', () => {
    for (const target of [undefined, os.alpine]) {
      const choice = chooseAnsible(both, undefined, target);
      expect(choice.offer).to.equal(trixie);
      expect(choice.reason).to.match(/no apt/);
      expect(choice.aptMismatch).to.equal(undefined);
    }
  });

  it('gives trixie and newer Debian the trixie suite, and its own suite to bookworm', () => {
    expect(chooseAnsible(both, undefined, os.trixie).offer).to.equal(trixie);
    expect(chooseAnsible(both, undefined, os.sid).offer).to.equal(trixie);
    const choice = chooseAnsible(both, undefined, os.bookworm);
    expect(choice.offer).to.equal(bookworm);
    expect(choice.reason).to.equal(
      "the target is Debian GNU/Linux 12 (bookworm): Debian bookworm's apt bindings work with its apt",
    );
    expect(chooseAnsible(both, undefined, os.raspbian).offer).to.equal(bookworm);
  });

  it('gives releases older than every suite, and Ubuntu, the bookworm suite', () => {
    expect(chooseAnsible(both, undefined, os.bullseye).offer).to.equal(bookworm);
    expect(chooseAnsible(both, undefined, os.ubuntu).offer).to.equal(bookworm);
  });

  it('does not depend on the order the distro lists its Ansibles in', () => {
    expect(chooseAnsible([trixie, bookworm], undefined, undefined).offer).to.equal(trixie);
    expect(chooseAnsible([trixie, bookworm], undefined, os.bookworm).offer).to.equal(bookworm);
  });

  it('lets an explicit --ansible win, by minor, full version or suite', () => {
    expect(chooseAnsible(both, '2.14', undefined).offer).to.equal(bookworm);
    expect(chooseAnsible(both, '2.19.11', os.trixie).offer).to.equal(trixie);
    expect(chooseAnsible(both, 'bookworm', os.trixie).offer).to.equal(bookworm);
    expect(chooseAnsible(both, '2.14', undefined).reason).to.equal('--ansible 2.14');
  });

  it("says when an explicit choice's apt bindings are not known to work with the target's apt", () => {
    const choice = chooseAnsible(both, '2.14', os.trixie);
    expect(choice.offer).to.equal(bookworm);
    expect(choice.aptMismatch).to.equal(
      "ansible-core 2.14.18's apt bindings are Debian bookworm's; the target is Debian GNU/Linux 13 (trixie), whose apt they are not known to work with: use --ansible 2.19 for the apt and apt_repository modules",
    );
    expect(chooseAnsible(both, '2.14', os.bookworm).aptMismatch).to.equal(undefined);
    expect(chooseAnsible(both, '2.19', os.sid).aptMismatch).to.equal(undefined);
    expect(chooseAnsible(both, '2.19', os.alpine).aptMismatch).to.equal(undefined);
  });

  it('refuses an Ansible the distro does not have, listing the ones it has', () => {
    expect(() => chooseAnsible(both, '2.9', undefined))
      .to.throw(UsageError)
      .with.property(
        'message',
        '--ansible 2.9: no such Ansible in the distro; available: 2.19 (2.19.11, trixie), 2.14 (2.14.18, bookworm)',
      );
    // a prefix of a version is not a version: 2.1 is not 2.14
    expect(() => chooseAnsible(both, '2.1', undefined)).to.throw(UsageError);
    expect(() => chooseAnsible([], undefined, undefined)).to.throw(UsageError, /no ansible image/);
  });

  it("reads the target's apt release from os-release", () => {
    expect(targetAptRelease(os.bookworm)?.number).to.equal(12);
    expect(targetAptRelease(os.sid)?.number).to.equal(14);
    expect(targetAptRelease({ ID: 'debian', PRETTY_NAME: 'Debian GNU/Linux trixie/sid' })?.number).to.equal(99);
    expect(targetAptRelease({ ID: 'debian', VERSION_ID: '11' })?.number).to.equal(11);
    expect(targetAptRelease(os.alpine)).to.equal(undefined);
    expect(targetAptRelease(undefined)).to.equal(undefined);
    expect(minor(trixie)).to.equal('2.19');
  });
});
