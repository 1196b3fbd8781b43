import { chmod, mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../../../src/errors.js';
import { extraVarsArgs, readPlaybook } from '../../../src/provision/playbook-input.js';
import { expect } from '../../support/expect.js';

describe('provision: playbook and extra vars, checked on the host', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-provision-unit-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('reads a playbook given by a relative path: its absolute path', async () => {
    const file = path.join(dir, 'site.yml');
    await writeFile(file, '- hosts: localhost\n  tasks: []\n');
    const playbook = await readPlaybook(path.relative(process.cwd(), file));
    expect(playbook.file).to.equal(file);
  });

  it('refuses missing, unreadable, directory, non-YAML and non-playbook files as usage errors (exit 2)', async () => {
    await expect(readPlaybook(path.join(dir, 'none.yml'))).to.be.rejectedWith(UsageError, /does not exist/);
    await expect(readPlaybook(dir)).to.be.rejectedWith(UsageError, /is a directory/);
    const bad = path.join(dir, 'bad.yml');
    await writeFile(bad, '- hosts: localhost\n  tasks: [\n');
    const error = await readPlaybook(bad).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(UsageError).with.property('exitCode', 2);
    expect((error as Error).message).to.match(/bad\.yml:\d+:\d+: not valid YAML/);
    const map = path.join(dir, 'map.yml');
    await writeFile(map, 'hosts: localhost\n');
    await expect(readPlaybook(map)).to.be.rejectedWith(UsageError, /a YAML list of plays/);
    if (process.getuid?.() !== 0) {
      const locked = path.join(dir, 'locked.yml');
      await writeFile(locked, '- hosts: all\n');
      await chmod(locked, 0);
      await expect(readPlaybook(locked)).to.be.rejectedWith(UsageError, /not readable/);
    }
  });

  it('passes key=value and JSON as they are, reads @file on the host as JSON, refuses the rest', async () => {
    const vars = path.join(dir, 'vars');
    await mkdir(vars, { recursive: true });
    await writeFile(path.join(vars, 'site.yml'), 'title: Hello\nports: [80]\n');
    expect(await extraVarsArgs(['a=1 b=2', '{"c": [1]}', `@${path.join(vars, 'site.yml')}`])).to.deep.equal([
      '--extra-vars',
      'a=1 b=2',
      '--extra-vars',
      '{"c": [1]}',
      '--extra-vars',
      '{"title":"Hello","ports":[80]}',
    ]);
    await expect(extraVarsArgs(['{"c": '])).to.be.rejectedWith(UsageError, /not a JSON object/);
    await expect(extraVarsArgs(['@/no/such/file'])).to.be.rejectedWith(UsageError, /cannot read/);
    await expect(extraVarsArgs(['novalue'])).to.be.rejectedWith(UsageError, /key=value/);
  });
});
