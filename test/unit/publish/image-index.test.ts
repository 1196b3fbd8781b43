import { expect } from '../../support/expect.js';
import { imageIndex, manifestEntry, parseRef, putIndex, registryBase } from '../../../src/publish/image-index.js';
import { DappdepsError } from '../../../src/errors.js';

describe('the OCI image index of a multi-architecture push', () => {
  it('splits a registry reference and speaks http to loopback registries only', () => {
    expect(parseRef('127.0.0.1:5000/dappdeps/base:0.2.3')).to.deep.equal({
      registry: '127.0.0.1:5000',
      repository: 'dappdeps/base',
      tag: '0.2.3',
    });
    expect(registryBase('127.0.0.1:5000')).to.equal('http://127.0.0.1:5000/v2');
    expect(registryBase('localhost:5000')).to.equal('http://localhost:5000/v2');
    expect(registryBase('registry.example.com')).to.equal('https://registry.example.com/v2');
  });

  it("takes each entry's media type and exact size from the registry, and puts the index under the tag", async () => {
    const calls: { url: string; init: RequestInit | undefined }[] = [];
    const body = '{"schemaVersion":2}';
    const fake = (async (url: string | URL | Request, init?: RequestInit) => {
      calls.push({ url: String(url), init });
      if (init?.method === 'PUT')
        return new Response('', { status: 201, headers: { 'docker-content-digest': 'sha256:index' } });
      return new Response(body, {
        headers: { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' },
      });
    }) as typeof fetch;
    const ref = parseRef('127.0.0.1:5000/r/base:1');
    const arm = await manifestEntry(ref, 'sha256:arm', { os: 'linux', architecture: 'arm64', variant: 'v8' }, fake);
    expect(arm).to.deep.equal({
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      digest: 'sha256:arm',
      size: body.length,
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
    });
    expect(await putIndex(ref, [arm], fake)).to.equal('sha256:index');
    expect(calls.map((c) => c.url)).to.deep.equal([
      'http://127.0.0.1:5000/v2/r/base/manifests/sha256:arm',
      'http://127.0.0.1:5000/v2/r/base/manifests/1',
    ]);
    expect(JSON.parse(String(calls[1]?.init?.body))).to.deep.equal(JSON.parse(imageIndex([arm])));
    expect(JSON.parse(imageIndex([arm]))).to.include({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
    });
  });

  it('fails naming the call when the registry refuses or serves something that is not a manifest', async () => {
    const ref = parseRef('127.0.0.1:5000/r/base:1');
    const refusing = (async () => new Response('denied', { status: 401 })) as typeof fetch;
    await expect(putIndex(ref, [], refusing)).to.be.rejectedWith(
      DappdepsError,
      /push the index .*: the registry answered 401 denied/,
    );
    const html = (async () => new Response('<html>', { headers: { 'content-type': 'text/html' } })) as typeof fetch;
    await expect(manifestEntry(ref, 'sha256:x', { os: 'linux', architecture: 'amd64' }, html)).to.be.rejectedWith(
      DappdepsError,
      /served text\/html, not an image manifest/,
    );
  });
});
