import path from 'node:path';
import { expect } from 'chai';
import { findImage, loadDistro } from '../../../src/manifest/load-distro.js';
import { packageRoot } from '../../../src/package-root.js';
import { renderDistro } from '../../../src/render/render-distro.js';

/** The lines of seal.conf starting with `directive`, as seal.sh reads them. */
async function confLines(image: string, directive: string): Promise<string[]> {
  const distro = await loadDistro(path.join(packageRoot, 'distro'));
  const [ctx] = await renderDistro(distro, [findImage(distro, image)], ['binary']);
  return String(ctx?.files.get('seal.conf'))
    .split('\n')
    .filter((l) => l.startsWith(`${directive} `));
}

/** The launcher lines: `env <tool> <op>[,private][,unless=<path>] VAR value`. */
const envLines = (image: string) => confLines(image, 'env');

describe("seal.conf's launcher environment", () => {
  it("marks Ansible's own variables private and sets ANSIBLE_EXECUTABLE only where the target has no /bin/sh", async () => {
    const lines = await envLines('ansible');
    expect(lines).to.include(
      'env ansible-playbook default,private,unless=/bin/sh ANSIBLE_EXECUTABLE /.dapp/deps/ansible/2.4.4.0-10/bin/sh',
    );
    expect(lines).to.include('env ansible-playbook set,private LC_ALL C.UTF-8');
    expect(lines).to.include('env python3 set,private LOCPATH /.dapp/deps/ansible/2.4.4.0-10/lib/locale');
    // PATH is for the children: appended, not private; git's bin, and only where the target has no coreutils the
    // folder of the four programs of base that Ansible's own commands run; never ansible's own bin (its python3,
    // ssh-keygen, sudo would pass for the target's), nor base's whole bin (its sudo, tar, rsync)
    expect(
      lines.filter((l) => / append(,[^ ]*)? PATH /.test(l) && l.startsWith('env ansible-playbook ')),
    ).to.deep.equal([
      'env ansible-playbook append PATH /.dapp/deps/git/0.2.1/bin',
      'env ansible-playbook append,unless=/bin/mkdir PATH /.dapp/deps/ansible/2.4.4.0-10/libexec/dappdeps/task-bin',
    ]);
    expect(await confLines('ansible', 'link')).to.deep.equal(
      ['mkdir', 'chmod', 'rm', 'sleep'].map(
        (tool) => `link libexec/dappdeps/task-bin/${tool} /.dapp/deps/base/0.2.3/bin/${tool}`,
      ),
    );
    expect(lines).to.include(
      'env ansible-playbook default,private,unless=/usr/bin/sudo ANSIBLE_SUDO_EXE /.dapp/deps/ansible/2.4.4.0-10/bin/sudo',
    );
    expect(lines).to.include(
      'env python3 set,private DAPPDEPS_BORROW_PATH /.dapp/deps/ansible/2.4.4.0-10/bin:/.dapp/deps/git/0.2.1/bin:/.dapp/deps/base/0.2.3/bin',
    );
  });

  it('writes plain ops where a manifest asks for neither', async () => {
    expect(await envLines('base')).to.include('env bash default TERMINFO_DIRS /.dapp/deps/base/0.2.3/lib/terminfo:');
  });
});
