import { isPackageCache } from '../../../src/provision/package-caches.js';
import { expect } from '../../support/expect.js';

describe('provision: package managers’ download caches', () => {
  it("recognises what apt's update_cache and installs write there, as a bench run left it, and whiteouts there", () => {
    for (const p of [
      'var/lib/apt/lists',
      'var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_i18n_Translation-en',
      'var/lib/apt/lists/.wh.deb.debian.org_debian_dists_bookworm_Release',
      'var/lib/apt/lists/.wh..wh..opq',
      'var/lib/apt/lists/partial',
      'var/lib/apt/.wh.lists',
      'var/cache/apt/pkgcache.bin',
      'var/cache/apt/archives/tree_2.1.0-1_amd64.deb',
      'var/cache/apk/APKINDEX.tar.gz',
      'var/cache/dnf/repodata',
      'var/cache/yum/x86_64',
    ])
      expect(isPackageCache(p), p).to.equal(true);
  });

  it("keeps what the packages are: dpkg's records, debconf's answers, the files, the logs, and the folders above", () => {
    for (const p of [
      'var/lib/apt',
      'var/lib/apt/extended_states',
      'var/lib/apt/listsx',
      'var/cache',
      'var/cache/.wh..wh..opq',
      'var/cache/debconf/config.dat',
      'var/lib/dpkg/status',
      'var/lib/dpkg/info/tree.list',
      'var/log/apt/history.log',
      'usr/bin/tree',
      'srv/var/cache/apt/x',
    ])
      expect(isPackageCache(p), p).to.equal(false);
  });
});
