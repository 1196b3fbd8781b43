import { UsageError } from '../../../src/errors.js';
import type { ImageConfig } from '../../../src/image/image-config.js';
import { applyChanges, parseCommand, parsePairs } from '../../../src/provision/config-changes.js';
import { resultConfig } from '../../../src/provision/result-config.js';
import { expect } from '../../support/expect.js';

const source = {
  Env: ['PATH=/usr/bin:/bin', 'LANG=C'],
  Cmd: ['nginx', '-g', 'daemon off;'],
  Entrypoint: null,
  WorkingDir: '/srv',
  User: 'app',
  Labels: { a: '1' },
  ExposedPorts: { '80/tcp': {} },
  StopSignal: 'SIGQUIT',
  Healthcheck: { Test: ['CMD', 'true'] },
};

describe('provision: configuration of the result', () => {
  it('keeps every field exactly when nothing is asked', () => {
    expect(applyChanges(source, {})).to.deep.equal(source);
  });

  it('applies requested changes, replacing a variable in place and merging labels', () => {
    const changed = applyChanges(source, {
      env: ['LANG=C.UTF-8', 'NEW=x=y'],
      labels: { b: '2' },
      cmd: [],
      entrypoint: ['/init'],
      workdir: '/app',
      user: 'root',
    });
    expect(changed.Env).to.deep.equal(['PATH=/usr/bin:/bin', 'LANG=C.UTF-8', 'NEW=x=y']);
    expect(changed.Labels).to.deep.equal({ a: '1', b: '2' });
    expect(changed.Cmd).to.equal(null);
    expect(changed.Entrypoint).to.deep.equal(['/init']);
    expect([changed.WorkingDir, changed.User, changed.StopSignal]).to.deep.equal(['/app', 'root', 'SIGQUIT']);
    expect(source.Env).to.have.length(2); // the input is not modified
  });

  it('reads commands as Dockerfile does: JSON array exec form, else shell form', () => {
    expect(parseCommand('["httpd", "-f"]', '--cmd')).to.deep.equal(['httpd', '-f']);
    expect(parseCommand('httpd -f -p 80', '--cmd')).to.deep.equal(['/bin/sh', '-c', 'httpd -f -p 80']);
    expect(() => parseCommand('[oops', '--cmd')).to.throw(UsageError, /not valid JSON/);
    expect(() => parseCommand('[1]', '--cmd')).to.throw(UsageError, /strings only/);
    expect(() => parsePairs(['=x'], '--label')).to.throw(UsageError, /KEY=value/);
  });

  it("rewrites the committed config: source's run config with the changes, the history line, no container", () => {
    const committed: ImageConfig = {
      architecture: 'amd64',
      os: 'linux',
      created: '2026-01-01T00:00:00Z',
      config: { Cmd: ['/.dapp/deps/ansible/x/bin/ansible-playbook'], Env: ['TMPDIR=/.dapp/provision/tmp'] },
      container: 'abc',
      container_config: { Cmd: ['x'] },
      history: [{ created_by: 'base' }, { created: '2026-01-01T00:00:00Z', comment: 'commit' }],
      rootfs: { type: 'layers', diff_ids: ['sha256:base', 'sha256:rewritten'] },
    };
    const out = resultConfig(committed, {
      source,
      changes: { labels: { p: 'q' } },
      createdBy: 'dappdeps provision site.yml',
    });
    expect(out.config).to.deep.equal({ ...source, Labels: { a: '1', p: 'q' } });
    expect(out.rootfs?.diff_ids).to.deep.equal(['sha256:base', 'sha256:rewritten']);
    expect(out).to.not.have.any.keys('container', 'container_config');
    expect(out.history).to.deep.equal([
      { created_by: 'base' },
      { created: '2026-01-01T00:00:00Z', created_by: 'dappdeps provision site.yml' },
    ]);
    expect(out.architecture).to.equal('amd64');
  });
});
