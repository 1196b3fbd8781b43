import { UsageError } from '../../../src/errors.js';
import { architectures } from '../../../src/manifest/architectures.js';
import {
  allowedArchitectures,
  baseImageFor,
  distroArchitecture,
  distroForArchitecture,
} from '../../../src/manifest/distro-for-architecture.js';
import { loadDistro } from '../../../src/manifest/load-distro.js';
import { hasStrategy, volumeContainerName, type Distro } from '../../../src/manifest/model.js';
import { renderDistro } from '../../../src/render/render-distro.js';
import { expect } from '../../support/expect.js';
import { realDistroDir } from '../../support/paths.js';

describe('the distro for an architecture', () => {
  let distro: Distro;
  let arm64: Distro;
  before(async () => {
    distro = await loadDistro(realDistroDir);
    arm64 = distroForArchitecture(distro, 'arm64');
  });

  it('is the distro itself for its default architecture or none asked', () => {
    expect(distroForArchitecture(distro, undefined)).to.equal(distro);
    expect(distroForArchitecture(distro, 'amd64')).to.equal(distro);
    expect(distro.platform).to.equal(undefined);
    expect(distroArchitecture(distro)).to.equal(architectures.amd64);
  });

  it("accepts only distro.yaml's architectures, saying where to add one", () => {
    expect(allowedArchitectures(distro)).to.deep.equal(['amd64', 'arm64']);
    const amd64Only = { ...distro, settings: { ...distro.settings, architectures: ['amd64' as const] } };
    expect(
      allowedArchitectures({ ...distro, settings: { ...distro.settings, architectures: undefined } }),
    ).to.deep.equal(['amd64']);
    expect(() => distroForArchitecture(amd64Only, 'arm64')).to.throw(
      UsageError,
      `architecture "arm64" is not one of distro.yaml's architectures (amd64); add it there to build it`,
    );
  });

  it('tags images, volume containers and the base per architecture, and asks for its platform', () => {
    const base = arm64.index.image('base');
    expect(arm64.index.tag(base, 'binary')).to.equal('dappdeps/base:5.2.15-1-arm64');
    expect(distro.index.tag(distro.index.image('base'), 'binary')).to.equal('dappdeps/base:5.2.15-1');
    expect(volumeContainerName(arm64, base)).to.equal('dappdeps-base-arm64');
    expect(arm64.settings.binary.baseImage).to.equal('arm64v8/debian:bookworm');
    expect(arm64.settings.architecture).to.deep.equal({ gnu: 'aarch64', debian: 'arm64' });
    expect(arm64.platform).to.equal('linux/arm64');
    expect(distroArchitecture(arm64).elfMachine).to.equal(183);
  });

  it('builds base without the x86-64-only toolchain: the stage gcc compiles its launchers', () => {
    expect(hasStrategy(arm64.index.image('toolchain'), 'binary')).to.equal(false);
    const base = arm64.index.image('base');
    expect(base.stageCompiler).to.equal('/usr/bin/gcc');
    expect(base.manifest.dependencies.build).to.deep.equal([]);
    expect(base.manifest.binary?.buildPackages).to.include.members(['gcc', 'libc6-dev']);
    expect(arm64.index.withBuildDeps(['base']).map((i) => i.name)).to.deep.equal(['base']);
    // The default architecture's images are untouched.
    expect(distro.index.image('base').manifest.dependencies.build).to.deep.equal(['toolchain']);
  });

  it('renders base for arm64: its base image, lock, triplet, stage compiler and no toolchain tree', async () => {
    const [ctx] = await renderDistro(arm64, [arm64.index.image('base')], ['binary']);
    const dockerfile = String(ctx?.files.get('Dockerfile'));
    const sealConf = String(ctx?.files.get('seal.conf'));
    expect(dockerfile).to.contain('FROM arm64v8/debian:bookworm AS build').and.not.to.contain('deps/toolchain');
    // The build stage installs its packages, gcc and libc6-dev among them, from the arm64 lock.
    const aptLock = String(ctx?.files.get('apt.lock'));
    expect(aptLock)
      .to.contain('from distro/distro.arm64.lock')
      .and.to.match(/^# requested: .* gcc libc6-dev$/m);
    expect(aptLock)
      .to.match(/^gcc \S+ arm64 [0-9a-f]{64}$/m)
      .and.not.to.match(/ amd64 /);
    expect(sealConf).to.contain('cc /usr/bin/gcc\n').and.to.contain('drop lib/aarch64-linux-gnu/gconv\n');
    expect(sealConf).not.to.contain('x86_64');
  });

  it('names base images of another architecture as a registry would serve them', () => {
    const arm = architectures.arm64;
    expect(baseImageFor('debian:bookworm', arm)).to.equal('arm64v8/debian:bookworm');
    expect(baseImageFor('docker.io/library/debian:trixie', arm)).to.equal('arm64v8/debian:trixie');
    expect(baseImageFor('ubuntu:16.04', arm)).to.equal('arm64v8/ubuntu:16.04');
    expect(baseImageFor('registry.example.com:5000/my/base:1', arm)).to.equal(
      'registry.example.com:5000/my/base:1-arm64',
    );
    expect(baseImageFor('registry.example.com:5000/base', arm)).to.equal('registry.example.com:5000/base:latest-arm64');
    expect(() => baseImageFor(`my/base@sha256:${'a'.repeat(64)}`, arm)).to.throw(UsageError, 'pinned by digest');
  });
});
