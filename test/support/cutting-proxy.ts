import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Cut the engine connection that carries a request matching `request`, after `afterBytes` of its response. */
export interface Cut {
  request: RegExp;
  afterBytes: number;
}

const REQUEST_LINE = /(?:^|\r\n)(GET|POST|PUT|DELETE|HEAD) (\S+) HTTP\/1\.[01]\r\n/g;

/**
 * A unix socket in front of the Docker engine that passes everything through, except that it drops the
 * connection (both sides) of a matching request once the engine has sent `afterBytes` more bytes on it: what
 * an engine restart or a dropped socket looks like to the client. Point DOCKER_HOST at `url`.
 */
export class CuttingProxy {
  readonly socketPath: string;
  /** Requests (method and path) seen, in order. */
  readonly requests: string[] = [];
  /** How many connections were cut. */
  cuts = 0;
  private cut: Cut | undefined;
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    dir: string,
    private readonly engineSocket: string,
  ) {
    this.socketPath = path.join(dir, 'engine.sock');
    this.server = net.createServer((client) => this.connect(client));
  }

  /** In front of the engine the tests use: DOCKER_HOST's unix socket, else the default one. */
  static async start(engineSocket = defaultEngineSocket()): Promise<CuttingProxy> {
    const proxy = new CuttingProxy(await fs.mkdtemp(path.join(os.tmpdir(), 'dappdeps-proxy-')), engineSocket);
    await new Promise<void>((resolve) => proxy.server.listen(proxy.socketPath, resolve));
    return proxy;
  }

  get url(): string {
    return `unix://${this.socketPath}`;
  }

  /** Arms one cut (the next matching request's connection is dropped) and counts cuts from zero again. */
  arm(cut: Cut | undefined): void {
    this.cut = cut;
    this.cuts = 0;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await fs.rm(path.dirname(this.socketPath), { recursive: true, force: true });
  }

  private connect(client: net.Socket): void {
    const engine = net.createConnection(this.engineSocket);
    this.sockets.add(client).add(engine);
    let budget: number | undefined; // bytes of response left before the cut, once a matching request passed
    const drop = () => {
      client.destroy();
      engine.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      for (const [, method, url] of chunk.toString('latin1').matchAll(REQUEST_LINE)) {
        this.requests.push(`${method} ${url}`);
        if (this.cut && this.cut.request.test(`${method} ${url}`)) {
          budget = this.cut.afterBytes;
          this.cut = undefined;
        }
      }
      engine.write(chunk);
    });
    engine.on('data', (chunk: Buffer) => {
      if (budget === 0) return; // cut already: nothing more reaches the client
      if (budget === undefined) {
        client.write(chunk);
        return;
      }
      const part = chunk.subarray(0, budget);
      budget -= part.length;
      if (budget > 0) client.write(part);
      else {
        this.cuts++;
        client.write(part, drop);
      }
    });
    for (const socket of [client, engine]) {
      socket.on('error', drop);
      socket.on('close', () => {
        this.sockets.delete(socket);
        drop();
      });
    }
  }
}

function defaultEngineSocket(): string {
  const host = process.env.DOCKER_HOST;
  return host?.startsWith('unix://') ? host.slice('unix://'.length) : '/var/run/docker.sock';
}
