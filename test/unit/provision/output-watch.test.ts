import { PassThrough } from 'node:stream';
import { text } from 'node:stream/consumers';
import { watchOutput } from '../../../src/provision/output-watch.js';
import { expect } from '../../support/expect.js';

describe('provision: hints from what Ansible printed', () => {
  it('names update_cache when apt found no such package, even across chunks, and passes the output on', async () => {
    const out = new PassThrough();
    const watch = watchOutput(out);
    const said = 'fatal: [localhost]: FAILED! => {"msg": "No package matching \'unzip\' is available"}\n';
    for (const part of [said.slice(0, 30), said.slice(30)]) watch.stream.write(Buffer.from(part));
    await new Promise<void>((resolve) => watch.stream.end(resolve));
    out.end();
    expect(await text(out)).to.equal(said);
    expect(watch.hint()).to.contain('update_cache: true');
  });

  it('has no hint for other failures', () => {
    const watch = watchOutput(new PassThrough());
    watch.stream.write(Buffer.from('fatal: [localhost]: FAILED! => {"msg": "this task fails"}\n'));
    expect(watch.hint()).to.equal(undefined);
  });
});
