import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chooseAnsible, type OsRelease } from '../../../src/manifest/choose-ansible.js';
import { loadDistro } from '../../../src/manifest/load-distro.js';
import type { Distro } from '../../../src/manifest/model.js';
import { labels } from '../../../src/labels.js';
import { readInputs, type ProvisionInputs } from '../../../src/provision/provision-image.js';
import type { AnsibleSelector } from '../../../src/provision/select-ansible.js';
import { dir, expect, file, tarOf } from '../../support/archive-fixtures.js';
import { FakeProvisionEngine, provisionOnFake } from '../../support/fake-provision-engine.js';
import { realDistroDir } from '../../support/paths.js';

const OFFERS = [
  { core: '2.14.18', suite: 'bookworm' },
  { core: '2.19.11', suite: 'trixie' },
];
const BOOKWORM =
  'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n';
const TRIXIE = 'PRETTY_NAME="Debian GNU/Linux 13 (trixie)"\nID=debian\nVERSION_ID="13"\nVERSION_CODENAME=trixie\n';

/** KEY=value lines, quotes dropped: enough for these fixtures (the CLI uses the manifest's parser). */
const fields = (text: string): OsRelease =>
  Object.fromEntries(
    [...text.matchAll(/^([A-Z_]+)=(.*)$/gm)].map((m) => [m[1], (m[2] ?? '').replace(/^"(.*)"$/, '$1')]),
  );

/**
 * provision's choice of Ansible on an engine in memory: the target's os-release read from a created, never started
 * container, the choice said and labelled, and a different choice never a cache hit of another.
 */
describe('provision chooses its Ansible from the target', () => {
  let distro: Distro;
  let work: string;
  let inputs: ProvisionInputs;
  let seen: Array<string | undefined>;
  const selector =
    (requested?: string): AnsibleSelector =>
    (text) => {
      seen.push(text);
      return { distro, choice: chooseAnsible(OFFERS, requested, text === undefined ? undefined : fields(text)) };
    };
  const run = (engine: FakeProvisionEngine, select?: AnsibleSelector, noCache = true) => {
    const steps: string[] = [];
    const result = provisionOnFake(engine, distro, inputs, {
      onStep: (s) => steps.push(s),
      selectAnsible: select,
      noCache,
    });
    return result.then((r) => ({ result: r, steps }));
  };
  const engine = async (osRelease?: string) =>
    new FakeProvisionEngine({
      sourceLayers: [await tarOf([dir('etc/')])],
      runLayer: await tarOf([dir('srv/'), file('srv/hello.txt', 'hello\n')]),
      osRelease,
    });

  before(async () => {
    distro = await loadDistro(realDistroDir);
    work = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-select-'));
    await writeFile(path.join(work, 'site.yml'), '- hosts: all\n  tasks: []\n');
    inputs = await readInputs(distro, { playbook: path.join(work, 'site.yml'), tag: 'result:1' });
  });
  beforeEach(() => {
    seen = [];
  });
  after(() => rm(work, { recursive: true, force: true }));

  it("reads os-release (/usr/lib's when /etc's is a link) from a container it never starts, and says the choice", async () => {
    const fake = await engine(BOOKWORM);
    const { result, steps } = await run(fake, selector());
    expect(seen).to.deep.equal([BOOKWORM]);
    expect(fake.reads.slice(0, 2)).to.deep.equal(['/etc/os-release', '/usr/lib/os-release']);
    // the probe container is created and removed before the run's own; only the run's is started and committed
    const verbs = fake.calls.map((c) => c.replace(/ container-\d+| sha256:\w+/g, ''));
    expect(verbs.slice(0, 5)).to.deep.equal(['create', 'remove container', 'create', 'put', 'commit']);
    expect(fake.containerIds.size).to.equal(0);
    expect(steps).to.include(
      "Ansible 2.14.18 (Debian bookworm's): the target is Debian GNU/Linux 12 (bookworm): Debian bookworm's apt bindings work with its apt",
    );
    expect(result.labels[labels.provisionAnsibleChoice]).to.match(/^2\.14\.18 \(bookworm\): the target is Debian/);
    expect(JSON.parse(result.labels[labels.provisionOptions] ?? '{}')).to.include({ ansible: '2.14.18 (bookworm)' });
  });

  it('an image without os-release (scratch, busybox) gets the newest; --ansible wins and warns about apt', async () => {
    const { steps } = await run(await engine(), selector());
    expect(seen).to.deep.equal([undefined]);
    expect(steps).to.include("Ansible 2.19.11 (Debian trixie's): the target has no apt: the newest Ansible");
    const forced = await run(await engine(TRIXIE), selector('2.14'));
    expect(forced.steps).to.include("Ansible 2.14.18 (Debian bookworm's): --ansible 2.14");
    expect(forced.steps.find((s) => s.startsWith('warning: '))).to.match(/apt bindings are Debian bookworm's/);
  });

  it('another choice for the same inputs is another cache key: never the other one’s image', async () => {
    const fake = await engine(TRIXIE);
    const first = await run(fake, selector('2.19'), false);
    const again = await run(fake, selector('2.19'), false);
    expect(again.result.cached).to.equal(true);
    const other = await run(fake, selector('2.14'), false);
    expect(other.result.cached).to.equal(false);
    expect(other.result.labels[labels.provisionKey]).not.to.equal(first.result.labels[labels.provisionKey]);
  });

  it('a re-run of the same image reads the os-release its earlier result recorded: no container to read it', async () => {
    const fake = await engine(BOOKWORM);
    const first = await run(fake, selector(), false);
    expect(first.result.labels[labels.provisionFromOsRelease]).to.equal(BOOKWORM);
    const creates = fake.calls.filter((c) => c.startsWith('create')).length;
    const reads = fake.reads.length;
    const cached = await run(fake, selector(), false);
    expect(cached.result.cached).to.equal(true);
    expect(fake.calls.filter((c) => c.startsWith('create')).length, 'containers created').to.equal(creates);
    expect(fake.reads.length, 'files read').to.equal(reads);
    expect(seen).to.deep.equal([BOOKWORM, BOOKWORM]);
    await run(fake, selector()); // --no-cache: the playbook's container only
    expect(fake.calls.filter((c) => c.startsWith('create')).length).to.equal(creates + 1);
  });

  it('without a selector: no os-release read, no extra container, no choice label', async () => {
    const fake = await engine(BOOKWORM);
    const { result } = await run(fake);
    expect(fake.reads.filter((f) => f.includes('os-release'))).to.deep.equal([]);
    expect(fake.calls.filter((c) => c.startsWith('create'))).to.have.length(1);
    expect(result.labels).not.to.have.property(labels.provisionAnsibleChoice);
  });
});
