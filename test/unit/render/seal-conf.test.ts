import path from 'node:path';
import { expect } from 'chai';
import { findImage, loadDistro } from '../../../src/manifest/load-distro.js';
import { packageRoot } from '../../../src/package-root.js';
import { renderDistro } from '../../../src/render/render-distro.js';

/** The lines of an image's seal.conf that start with `key ` (e.g. `env <tool> <op>[,private][,unless=<path>] VAR value`). */
async function confLines(image: string, key: string): Promise<string[]> {
  const distro = await loadDistro(path.join(packageRoot, 'distro'));
  const [ctx] = await renderDistro(distro, [findImage(distro, image)], ['binary']);
  return String(ctx?.files.get('seal.conf'))
    .split('\n')
    .filter((l) => l.startsWith(`${key} `));
}

const envLines = (image: string) => confLines(image, 'env');

describe("seal.conf's launcher environment", () => {
  it("marks Ansible's own variables private and sets ANSIBLE_EXECUTABLE only where the target has no /bin/sh", async () => {
    const lines = await envLines('ansible');
    expect(lines).to.include(
      'env ansible-playbook default,private,unless=/bin/sh ANSIBLE_EXECUTABLE /.dapp/deps/ansible/2.14.18-1/bin/sh',
    );
    expect(lines).to.include('env ansible-playbook set,private LC_ALL C.UTF-8');
    expect(lines).to.include('env python3 set,private LOCPATH /.dapp/deps/ansible/2.14.18-1/lib/locale');
    // PATH is for the children: appended, not private; git's bin, and only where the target has no coreutils the
    // folder of the four programs of base that Ansible's own commands run; never ansible's own bin (its python3,
    // ssh-keygen, sudo would pass for the target's), nor base's whole bin (its sudo, tar, rsync)
    expect(
      lines.filter((l) => / append(,[^ ]*)? PATH /.test(l) && l.startsWith('env ansible-playbook ')),
    ).to.deep.equal([
      'env ansible-playbook append PATH /.dapp/deps/git/2.39.5-1/bin',
      'env ansible-playbook append,unless=/bin/mkdir PATH /.dapp/deps/ansible/2.14.18-1/libexec/dappdeps/task-bin',
    ]);
    expect(await confLines('ansible', 'link')).to.deep.equal(
      ['mkdir', 'chmod', 'rm', 'sleep'].map(
        (tool) => `link libexec/dappdeps/task-bin/${tool} /.dapp/deps/base/5.2.15-1/bin/${tool}`,
      ),
    );
    expect(lines).to.include(
      'env ansible-playbook default,private,unless=/usr/bin/sudo ANSIBLE_SUDO_EXE /.dapp/deps/ansible/2.14.18-1/bin/sudo',
    );
    expect(lines).to.include(
      'env python3 set,private DAPPDEPS_BORROW_PATH /.dapp/deps/ansible/2.14.18-1/bin:/.dapp/deps/git/2.39.5-1/bin:/.dapp/deps/base/5.2.15-1/bin:/.dapp/deps/ansible/2.14.18-1/libexec/dappdeps/task-bin',
    );
  });

  it('writes plain ops where a manifest asks for neither', async () => {
    expect(await envLines('base')).to.include('env bash default TERMINFO_DIRS /.dapp/deps/base/5.2.15-1/lib/terminfo:');
  });

  it('writes each smoke command as a `warm` line (base64 JSON argv, {prefix} replaced): the pycs the seal keeps', async () => {
    const distro = await loadDistro(path.join(packageRoot, 'distro'));
    const ansible = findImage(distro, 'ansible');
    const warm = (await confLines('ansible', 'warm')).map(
      (l) => JSON.parse(Buffer.from(l.slice('warm '.length), 'base64').toString('utf8')) as string[],
    );
    expect(warm).to.have.length(ansible.manifest.smoke.length);
    expect(warm[0]).to.deep.equal(['bin/ansible', '--version']);
    expect(warm.flat().join(' ')).not.to.contain('{prefix}');
    for (const line of await confLines('ansible', 'warm')) expect(line).to.match(/^warm [A-Za-z0-9+/=]+$/);
  });
});
