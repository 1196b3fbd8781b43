import { defaultSocket } from '../../../src/docker/engine-socket.js';
import { productOf } from '../../../src/docker/engine-client.js';
import { expect } from '../../support/expect.js';

describe('the default engine', () => {
  const only =
    (...files: string[]) =>
    (file: string) =>
      files.includes(file);

  it("is Docker's socket when it is there, even beside a Podman service", () => {
    expect(defaultSocket({}, only('/var/run/docker.sock', '/run/podman/podman.sock'))).to.equal('/var/run/docker.sock');
  });

  it("is the root Podman service's socket without Docker's, then the user's", () => {
    expect(defaultSocket({ XDG_RUNTIME_DIR: '/run/user/7' }, only('/run/podman/podman.sock'))).to.equal(
      '/run/podman/podman.sock',
    );
    expect(defaultSocket({ XDG_RUNTIME_DIR: '/run/user/7' }, only('/run/user/7/podman/podman.sock'))).to.equal(
      '/run/user/7/podman/podman.sock',
    );
  });

  it("is Docker's socket when no socket is there, so the error names what people expect", () => {
    expect(defaultSocket({}, only())).to.equal('/var/run/docker.sock');
  });
});

describe('the engine product', () => {
  it("is Podman when a component of its version says so (Podman 4.3's compatible API), else Docker", () => {
    expect(productOf([{ Name: 'Podman Engine' }, { Name: 'Conmon' }])).to.equal('podman');
    expect(productOf([{ Name: 'Engine' }, { Name: 'containerd' }, { Name: 'runc' }])).to.equal('docker');
    expect(productOf(undefined)).to.equal('docker');
  });
});
