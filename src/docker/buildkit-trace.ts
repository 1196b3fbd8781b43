import protobuf from 'protobufjs';

/** The `id` of the progress messages a BuildKit build sends: `aux` is a base64 `StatusResponse`. */
export const BUILDKIT_TRACE_ID = 'moby.buildkit.trace';

/**
 * The part of BuildKit's `moby.buildkit.v1.StatusResponse` (control.proto) a build log needs: steps and
 * their errors, and the output of RUN commands. Other fields are skipped by the decoder.
 */
const StatusResponse = protobuf.Root.fromJSON({
  nested: {
    Timestamp: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
    Vertex: {
      fields: {
        digest: { type: 'string', id: 1 },
        name: { type: 'string', id: 3 },
        cached: { type: 'bool', id: 4 },
        started: { type: 'Timestamp', id: 5 },
        completed: { type: 'Timestamp', id: 6 },
        error: { type: 'string', id: 7 },
      },
    },
    VertexLog: { fields: { vertex: { type: 'string', id: 1 }, msg: { type: 'bytes', id: 4 } } },
    StatusResponse: {
      fields: {
        vertexes: { rule: 'repeated', type: 'Vertex', id: 1 },
        logs: { rule: 'repeated', type: 'VertexLog', id: 3 },
      },
    },
  },
}).lookupType('StatusResponse');

interface Status {
  vertexes?: { digest?: string; name?: string; cached?: boolean; started?: unknown; error?: string }[];
  logs?: { msg?: Uint8Array }[];
}

/**
 * Turns a build's BuildKit trace messages into log text: each step's name once, when it starts (or is
 * found cached), the output of its command, and its error. The engine sends a step again on every change,
 * hence the memory of the steps already named.
 */
export class BuildKitTrace {
  readonly #named = new Set<string>();

  /** The text of one `aux` payload; throws on a payload that is not a StatusResponse. */
  text(aux: string): string {
    const status = StatusResponse.toObject(StatusResponse.decode(Buffer.from(aux, 'base64'))) as Status;
    let text = '';
    for (const v of status.vertexes ?? []) {
      const digest = v.digest ?? '';
      if (v.name && (v.started || v.cached) && !this.#named.has(digest)) {
        this.#named.add(digest);
        text += `${v.name}${v.cached ? ' (cached)' : ''}\n`;
      }
      if (v.error) text += `ERROR: ${v.error}\n`;
    }
    for (const log of status.logs ?? []) text += Buffer.from(log.msg ?? []).toString('utf8');
    return text;
  }
}
