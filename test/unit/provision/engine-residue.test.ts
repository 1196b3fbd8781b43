import type { TarEntryInfo } from '../../../src/archive/tar/filter-tar.js';
import { engineResidue } from '../../../src/provision/engine-residue.js';
import { residueCandidates, residueDrops } from '../../../src/provision/residue.js';
import { expect } from '../../support/expect.js';

const d = (path: string): TarEntryInfo => ({ path, type: 'Directory', mode: 0o755, size: 0 });
const f = (path: string): TarEntryInfo => ({ path, type: 'File', mode: 0o755, size: 0 });
const l = (path: string): TarEntryInfo => ({ path, type: 'SymbolicLink', mode: 0o777, size: 0 });

describe("provision: the engine's own files in the committed layer", () => {
  // What Podman 4.3's commit of a provisioned busybox container holds (seen here), with the playbook's /opt.
  const podmanLayer = [
    d('bin'),
    f('bin/.wh.wget'),
    d('dev'),
    d('etc'),
    f('etc/hostname'),
    f('etc/hosts'),
    l('etc/mtab'),
    f('etc/resolv.conf'),
    d('opt'),
    d('opt/tool'),
    f('opt/tool/run'),
    d('proc'),
    d('run'),
    f('run/.containerenv'),
    d('sys'),
  ];

  it("leaves out Podman's files, and its directories the image lacked, keeping the playbook's changes", () => {
    const engine = engineResidue('podman', podmanLayer);
    expect([...engine.files].sort()).to.deep.equal([
      'etc/hostname',
      'etc/hosts',
      'etc/mtab',
      'etc/resolv.conf',
      'run/.containerenv',
    ]);
    const candidates = [...residueCandidates(podmanLayer, '.dapp'), ...engine.dirs];
    // busybox's image has /bin only
    const drop = residueDrops(podmanLayer, new Set(candidates), '.dapp', engine.files);
    const kept = podmanLayer.map((e) => e.path).filter((p) => !drop.has(p));
    expect(kept).to.deep.equal(['bin', 'bin/.wh.wget', 'opt', 'opt/tool', 'opt/tool/run']);
  });

  it('keeps a directory the image had, and one holding what the playbook wrote', () => {
    const layer = [d('etc'), f('etc/hostname'), f('etc/motd'), d('run'), f('run/.containerenv')];
    const engine = engineResidue('podman', layer);
    const drop = residueDrops(layer, new Set(['etc']), '.dapp', engine.files);
    expect(layer.map((e) => e.path).filter((p) => !drop.has(p))).to.deep.equal(['etc', 'etc/motd', 'run']);
  });

  it('finds nothing of the kind on Docker, whose commit leaves the init layer out', () => {
    const engine = engineResidue('docker', podmanLayer);
    expect([...engine.files]).to.deep.equal([]);
    expect(engine.dirs).to.deep.equal([]);
  });
});
