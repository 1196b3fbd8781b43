import { DappdepsError, EngineError } from '../../../src/errors.js';
import { createDockerClient } from '../../../src/docker/docker-client.js';
import {
  engineMessage,
  isConflict,
  isRemovalInProgress,
  translateFailure,
} from '../../../src/docker/engine-failure.js';
import { expect } from '../../support/expect.js';

/** What dockerode rejects with for an engine answer (shape from docker-modem's buildPayload). */
function httpFailure(statusCode: number, reason: string, message: string, streamed = false): Error {
  const error = new Error(`(HTTP code ${statusCode}) ${reason} - ${message} `);
  return Object.assign(error, { statusCode, reason, json: streamed ? null : { message } });
}

describe('docker engine failures', () => {
  it("takes the engine's own message, also from a streamed call", () => {
    expect(engineMessage(httpFailure(404, 'no such image', 'No such image: x:1'))).to.equal('No such image: x:1');
    expect(engineMessage(httpFailure(500, 'server error', 'Get "https://r/v2/": no such host - retry', true))).to.equal(
      'Get "https://r/v2/": no such host - retry',
    );
  });

  it('recognises name conflicts, also the older engines\' 400 "Conflict."', () => {
    expect(isConflict(httpFailure(409, 'conflict', 'Conflict. The container name "/x" is already in use'))).to.equal(
      true,
    );
    expect(isConflict(httpFailure(400, 'bad parameter', 'Conflict. The name "/x" is already in use'))).to.equal(true);
    expect(isConflict(httpFailure(400, 'bad parameter', 'invalid reference format'))).to.equal(false);
  });

  it("recognises Podman's name conflict by its message: its status is 500", () => {
    const podman =
      'container create: creating container storage: the container name "x" is already in use by 1f2e. You have ' +
      'to remove that container to be able to reuse that name: that name is already in use';
    expect(isConflict(httpFailure(500, 'server error', podman))).to.equal(true);
    expect(
      isConflict(httpFailure(500, 'server error', 'creating container storage: no space left on device')),
    ).to.equal(false);
  });

  it('recognises a removal already in progress', () => {
    expect(
      isRemovalInProgress(httpFailure(409, 'unexpected', 'removal of container abc is already in progress')),
    ).to.equal(true);
    expect(isRemovalInProgress(httpFailure(409, 'unexpected', 'You cannot remove a running container'))).to.equal(
      false,
    );
  });

  it('turns a refused connection into an EngineError saying how to start an engine', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', syscall: 'connect' });
    const error = translateFailure(refused, 'ping', 'unix:///x.sock', {});
    expect(error).to.be.instanceOf(EngineError);
    expect(error.message).to.equal('no Docker engine answers at unix:///x.sock (ECONNREFUSED)');
    expect(error.hint).to.equal('run scripts/ensure-engine.sh as root, or set DOCKER_HOST to the engine to use');
  });

  it('names DOCKER_HOST when it chose the engine, and says what to check for TCP, TLS and SSH', () => {
    const env = { DOCKER_HOST: 'tcp://10.1.2.3:2376' };
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', syscall: 'connect' });
    const error = translateFailure(refused, 'ping', 'tcp://10.1.2.3:2376', env);
    expect(error).to.be.instanceOf(EngineError);
    expect(error.message).to.equal('no Docker engine answers at DOCKER_HOST=tcp://10.1.2.3:2376 (ECONNREFUSED)');
    expect(error.hint).to.equal('check DOCKER_HOST: is the engine running there, and reachable from here?');
    const untrusted = Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    const tls = translateFailure(untrusted, 'ping', 'tcp://10.1.2.3:2376', env);
    expect(tls).to.be.instanceOf(EngineError);
    expect(tls.hint).to.match(/DOCKER_TLS_VERIFY and DOCKER_CERT_PATH/);
    const ssh = { DOCKER_HOST: 'ssh://me@build' };
    const denied = Object.assign(new Error('All configured authentication methods failed'), {
      level: 'client-authentication',
    });
    expect(translateFailure(denied, 'ping', 'ssh://me@build', ssh).hint).to.match(/SSH key .* authorized/);
    const unknown = Object.assign(new Error('Host denied (verification failed)'), { level: 'handshake' });
    expect(translateFailure(unknown, 'ping', 'ssh://me@build', ssh).hint).to.match(/known_hosts/);
  });

  it('names the call in other failures and passes errors of ours unchanged', () => {
    const error = translateFailure(
      httpFailure(500, 'server error', 'disk full'),
      'create container x',
      'unix:///x.sock',
    );
    expect(error).to.be.instanceOf(DappdepsError).and.not.instanceOf(EngineError);
    expect(error.message).to.equal('docker: create container x failed: disk full');
    const ours = new EngineError('mine');
    expect(translateFailure(ours, 'x', 'y')).to.equal(ours);
    expect(error.hint).to.equal(undefined);
  });

  it('says to run again when an open connection broke (a response cut short, a reset socket)', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', syscall: 'read' });
    for (const cut of [new Error('aborted'), new Error('socket hang up'), reset]) {
      const error = translateFailure(cut, 'run ["x"] in y', 'unix:///x.sock');
      expect(error.message).to.match(/^docker: run \["x"\] in y failed: /);
      expect(error.hint).to.match(/connection to the engine broke.*run again/);
    }
  });

  it('reports a missing socket as an EngineError from ping', async () => {
    const client = createDockerClient({ socketPath: '/nonexistent/dappdeps-test.sock' });
    await expect(client.engine.ping()).to.be.rejectedWith(
      EngineError,
      /no Docker engine answers at (DOCKER_HOST=)?unix:\/\/\/nonexistent\/dappdeps-test.sock \(ENOENT\)/,
    );
  });
});
