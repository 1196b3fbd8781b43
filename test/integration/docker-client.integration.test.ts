import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import Docker from 'dockerode';
import tar from 'tar-stream';
import { BootstrapError, BuildError } from '../../src/errors.js';
import { bootstrapBaseImage } from '../../src/bootstrap/bootstrap-base.js';
import { labels } from '../../src/labels.js';
import { createDockerClient, type DockerClient } from '../../src/docker/docker-client.js';
import type { BuildLine } from '../../src/docker/types.js';
import { expect } from '../support/expect.js';

const BASE = 'debian:bookworm';
const PREFIX = '/.dapp/deps/demo/1.0';

/** A build context holding `files` (Dockerfile included), as the tar stream the engine expects. */
function context(files: Record<string, string>): Readable {
  const pack = tar.pack();
  for (const [name, content] of Object.entries(files)) pack.entry({ name }, content);
  pack.finalize();
  return Readable.from(pack); // tar-stream's streamx stream, as the Node stream the client takes
}

/** A writable collecting what is written to it. */
function sink(): Writable & { text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  return Object.assign(stream, { text: () => Buffer.concat(chunks).toString('utf8') });
}

describe('docker client against the real engine', function () {
  this.timeout(300_000);
  const run = randomBytes(4).toString('hex');
  const name = (what: string) => `dappdeps-test-${run}-${what}`;
  let docker: DockerClient;
  /** Raw dockerode, only to observe the engine independently of the client under test. */
  let raw: Docker;
  const tags: string[] = [];
  const volumeContainers: string[] = [];

  /** Containers whose command mentions `marker`: none may survive a build or a run. */
  async function containersMentioning(marker: string): Promise<string[]> {
    const all = await raw.listContainers({ all: true });
    return all.filter((c) => c.Command.includes(marker)).map((c) => `${c.Id.slice(0, 12)} ${c.State} ${c.Command}`);
  }

  /** Polls until no container mentions `marker` (the engine removes build containers as the build ends). */
  async function expectNoContainersMentioning(marker: string): Promise<void> {
    for (let i = 0; i < 60 && (await containersMentioning(marker)).length > 0; i++) await sleep(500);
    expect(await containersMentioning(marker)).to.deep.equal([]);
  }

  /** Builds `FROM scratch` + one file at the demo prefix; records the tag for cleanup. */
  async function buildPrefixImage(tag: string, content: string, labels: Record<string, string> = {}): Promise<string> {
    tags.push(tag);
    const { id } = await docker.images.build({
      image: tag,
      tag,
      labels,
      context: context({ Dockerfile: `FROM scratch\nCOPY hello ${PREFIX}/hello\n`, hello: content }),
      onLine: () => {},
      idleTimeoutMs: 60_000,
    });
    return id;
  }

  before(async () => {
    docker = createDockerClient();
    raw = new Docker();
    await docker.engine.ping(); // no engine: every test here fails, none is skipped
    expect(
      await docker.images.inspect(BASE),
      `${BASE} must be in the engine (scripts/ensure-engine.sh, or bootstrapBaseImage)`,
    ).to.not.equal(undefined);
  });

  after(async () => {
    for (const container of volumeContainers) await docker.volumes.remove(container);
    for (const tag of tags) await docker.images.remove(tag);
  });

  it('reports the engine version', async () => {
    expect((await docker.engine.version()).apiVersion).to.match(/^1\.\d+$/);
  });

  describe('images', () => {
    it('builds an image, returns its id and puts the labels on it', async () => {
      const tag = `${name('labels')}:1`;
      const lines: BuildLine[] = [];
      tags.push(tag);
      const { id } = await docker.images.build({
        image: 'demo',
        tag,
        labels: { 'dappdeps.name': 'demo', 'dappdeps.content-hash': run },
        context: context({ Dockerfile: 'FROM scratch\nCOPY hello /hello\n', hello: run }),
        onLine: (line) => lines.push(line),
        idleTimeoutMs: 60_000,
      });
      const info = await docker.images.inspect(tag);
      expect(info?.id).to.equal(id);
      expect(info?.labels).to.include({ 'dappdeps.name': 'demo', 'dappdeps.content-hash': run });
      expect(lines.map((l) => l.text)).to.satisfy((texts: string[]) =>
        texts.some((t) => /^Step \d+\/\d+ : COPY hello \/hello$/.test(t)),
      );
    });

    it('rejects a failing RUN with a BuildError naming the image with the tail, leaving no containers', async () => {
      const marker = name('fails');
      const build = docker.images.build({
        image: 'demo-failing',
        tag: `${marker}:1`,
        labels: {},
        context: context({ Dockerfile: `FROM ${BASE}\nRUN echo "${marker} says hello" && false\n` }),
        onLine: () => {},
        idleTimeoutMs: 60_000,
      });
      const error = (await expect(build).to.be.rejectedWith(
        BuildError,
        'build of demo-failing failed: ',
      )) as unknown as BuildError;
      expect(error.message).to.include('returned a non-zero code: 1');
      expect(error.image).to.equal('demo-failing');
      expect(error.logTail).to.include(`${marker} says hello`);
      expect(await docker.images.inspect(`${marker}:1`)).to.equal(undefined);
      await expectNoContainersMentioning(marker);
    });

    for (const how of ['abort', 'idle timeout'] as const) {
      it(`stops a build on ${how}; the engine removes its container`, async () => {
        const marker = name(how.replace(' ', '-'));
        const controller = new AbortController();
        const build = docker.images.build({
          image: 'demo-stopped',
          tag: `${marker}:1`,
          labels: {},
          context: context({ Dockerfile: `FROM ${BASE}\nRUN echo "${marker} started" && sleep 120\n` }),
          onLine: ({ text }) => {
            if (how === 'abort' && text === `${marker} started`) controller.abort();
          },
          idleTimeoutMs: how === 'abort' ? 60_000 : 3_000,
          signal: controller.signal,
        });
        await expect(build).to.be.rejectedWith(
          BuildError,
          how === 'abort' ? 'aborted' : 'no output from the engine for 3000 ms',
        );
        await expectNoContainersMentioning(marker);
      });
    }

    it('saves an image as a tar stream', async () => {
      const tag = `${name('save')}:1`;
      await buildPrefixImage(tag, 'saved');
      const stream = await docker.images.save(tag);
      let head = Buffer.alloc(0);
      for await (const chunk of stream) {
        head = Buffer.concat([head, chunk as Buffer]);
        if (head.length >= 512) break; // leaving the loop destroys the stream: the rest is never read
      }
      expect(head.subarray(257, 262).toString('latin1')).to.equal('ustar');
    });

    it('answers undefined for an unknown image and ignores removing it', async () => {
      expect(await docker.images.inspect(`${name('absent')}:1`)).to.equal(undefined);
      await docker.images.remove(`${name('absent')}:1`);
    });
  });

  describe('volume containers', () => {
    const tag = `${name('volume')}:1.0`;
    const container = name('volume');
    let firstId: string;

    before(async () => {
      firstId = await buildPrefixImage(tag, 'first\n', { 'dappdeps.version': '1.0' });
      volumeContainers.push(container);
    });

    const request = () => ({ name: container, image: tag, volume: PREFIX, labels: { 'dappdeps.version': '1.0' } });

    it('creates, then reuses, a volume container recording image id and version', async () => {
      expect(await docker.volumes.create(request())).to.equal('created');
      expect(await docker.volumes.create(request())).to.equal('reused');
      const [found, ...more] = await docker.containers.listByLabel(`${labels.imageId}=${firstId}`);
      expect(more).to.deep.equal([]);
      expect(found).to.deep.include({ name: container, imageId: firstId, state: 'created' });
      expect(found?.labels).to.include({ 'dappdeps.version': '1.0', [labels.imageId]: firstId });
    });

    it('recreates it when the image changed, removing the old volume', async () => {
      const [oldVolume] = (await raw.getContainer(container).inspect()).Mounts.map((m) => m.Name);
      expect(oldVolume).to.be.a('string');
      const secondId = await buildPrefixImage(tag, 'second\n');
      expect(secondId).to.not.equal(firstId);
      expect(await docker.volumes.create(request())).to.equal('recreated');
      expect((await raw.getContainer(container).inspect()).Image).to.equal(secondId);
      await expect(raw.getVolume(oldVolume as string).inspect()).to.be.rejected.and.eventually.have.property(
        'statusCode',
        404,
      );
    });

    it('recreates one made with the old dappdeps.* labels, removing its volume', async () => {
      const legacy = name('legacy');
      volumeContainers.push(legacy);
      const imageId = (await raw.getImage(tag).inspect()).Id;
      await raw.createContainer({
        name: legacy,
        Image: imageId,
        Cmd: ['no-such-cmd'],
        Volumes: { [PREFIX]: {} },
        Labels: { 'dappdeps.image-id': imageId, 'dappdeps.image': tag },
        HostConfig: { NetworkMode: 'none' },
      });
      const [oldVolume] = (await raw.getContainer(legacy).inspect()).Mounts.map((m) => m.Name);
      expect(await docker.volumes.create({ ...request(), name: legacy })).to.equal('recreated');
      const found = await raw.listContainers({ all: true, filters: { name: [`^/${legacy}$`] } });
      expect(found.map((c) => c.Labels)).to.deep.equal([
        { 'dappdeps.version': '1.0', [labels.imageId]: imageId, [labels.image]: tag },
      ]);
      await expect(raw.getVolume(oldVolume as string).inspect()).to.be.rejected.and.eventually.have.property(
        'statusCode',
        404,
      );
      expect(await docker.volumes.create({ ...request(), name: legacy })).to.equal('reused');
    });

    it('survives ten concurrent calls, for a new name and after an image change: one container', async () => {
      const racing = name('race');
      volumeContainers.push(racing);
      const race = async () => {
        const outcomes = await Promise.all(
          Array.from({ length: 10 }, () => docker.volumes.create({ ...request(), name: racing })),
        );
        const found = (await raw.listContainers({ all: true, filters: { name: [`^/${racing}$`] } })).map(
          (c) => c.ImageID,
        );
        return { outcomes, found };
      };

      const fresh = await race();
      expect(fresh.outcomes.filter((o) => o === 'created')).to.have.length(1);
      expect(fresh.outcomes.filter((o) => o === 'reused')).to.have.length(9);
      expect(fresh.found).to.have.length(1);

      const thirdId = await buildPrefixImage(tag, 'third\n');
      const changed = await race();
      expect(changed.outcomes.every((o) => o === 'recreated' || o === 'reused')).to.equal(true);
      expect(changed.outcomes).to.include('recreated');
      expect(changed.found).to.deep.equal([thirdId]);
    });

    it('refuses an image that does not exist', async () => {
      await expect(
        docker.volumes.create({ ...request(), name: name('nothing'), image: `${name('nothing')}:1` }),
      ).to.be.rejectedWith('does not exist');
    });
  });

  describe('run', () => {
    const tag = `${name('run')}:1.0`;
    const container = name('run');

    before(async () => {
      await buildPrefixImage(tag, 'mounted content\n');
      volumeContainers.push(container);
      await docker.volumes.create({ name: container, image: tag, volume: PREFIX, labels: {} });
    });

    /** Runs a shell script in the base image with the volume container mounted; the script names this run. */
    async function sh(script: string, signal?: AbortSignal) {
      const stdout = sink();
      const stderr = sink();
      const marker = name(`sh-${randomBytes(3).toString('hex')}`);
      const exitCode = await docker.containers.run({
        image: BASE,
        cmd: ['sh', '-c', `${script} # ${marker}`],
        volumesFrom: [container],
        stdout,
        stderr,
        signal,
      });
      await expectNoContainersMentioning(marker);
      return { exitCode, stdout: stdout.text(), stderr: stderr.text() };
    }

    it('returns exit code 0 and the demultiplexed output, reading the mounted volume', async () => {
      expect(await sh(`cat ${PREFIX}/hello; echo oops >&2`)).to.deep.equal({
        exitCode: 0,
        stdout: 'mounted content\n',
        stderr: 'oops\n',
      });
    });

    it('returns a failing exit code', async () => {
      expect(await sh('echo before; exit 7')).to.deep.equal({ exitCode: 7, stdout: 'before\n', stderr: '' });
    });

    it('mounts the volumes read-only, gives no network, and leaves the volume in place', async () => {
      const write = await sh(`touch ${PREFIX}/new`);
      expect(write.exitCode).to.not.equal(0);
      expect(write.stderr).to.include('Read-only file system');
      expect((await sh('ls /sys/class/net')).stdout).to.equal('lo\n');
      expect((await sh(`cat ${PREFIX}/hello`)).stdout).to.equal('mounted content\n');
    });

    it('removes the container when aborted', async () => {
      const marker = name('abort-run');
      const controller = new AbortController();
      const running = docker.containers.run({
        image: BASE,
        cmd: ['sh', '-c', `sleep 120 # ${marker}`],
        volumesFrom: [],
        stdout: sink(),
        stderr: sink(),
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(), 1_000);
      await expect(running).to.be.rejected;
      expect(await containersMentioning(marker)).to.deep.equal([]);
    });
  });

  describe('base images', () => {
    it('finds a base image already present', async () => {
      expect(await bootstrapBaseImage(docker, BASE)).to.equal('present');
    });

    it('explains how to load an image that is absent, cannot be pulled and is not Debian', async () => {
      await expect(bootstrapBaseImage(docker, `${name('base')}:1`))
        .to.be.rejectedWith(BootstrapError, 'cannot pull it')
        .and.eventually.have.property('hint')
        .that.contain('docker load');
    });
  });
});
