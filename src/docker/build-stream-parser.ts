import { StringDecoder } from 'node:string_decoder';
import { BuildError } from '../errors.js';
import { BUILDKIT_TRACE_ID, BuildKitTrace } from './buildkit-trace.js';
import type { BuildLine } from './types.js';

/** How many of the last lines a failure carries. */
export const TAIL_LINES = 20;

/** Makes the error a failed stream rejects with, from the reason and the last lines seen. */
export type StreamFailure = (reason: string, tail: readonly string[], cause?: unknown) => Error;

/** Failures of a `docker build` stream are BuildErrors naming the image (and where its whole log is). */
export function buildFailure(image: string, logFile?: string): StreamFailure {
  return (reason, tail, cause) => new BuildError(image, reason, tail, logFile, cause);
}

type Message = Record<string, unknown>;

function isMessage(value: unknown): value is Message {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The classic builder's last line when it did not send `aux.ID` (older engines). */
const SUCCESSFULLY_BUILT = /^Successfully built ([0-9a-f]{12,64})$/;

/**
 * Decodes the engine's progress stream (build, pull, import): newline-delimited JSON objects that may be split
 * across chunks or packed several to a chunk. Pure and synchronous: `feed` each chunk, then `end`; both throw
 * the failure on an `error`/`errorDetail` object or a line that is not a JSON object, because the engine
 * answers HTTP 200 to a build that fails.
 */
export class BuildStreamParser {
  readonly #onLine: (line: BuildLine) => void;
  readonly #fail: StreamFailure;
  readonly #decoder = new StringDecoder('utf8');
  /** Received text not yet ended by a newline: part of a JSON object. */
  #pending = '';
  /** `stream` text not yet ended by a newline: command output is not sent line by line. */
  #text = '';
  readonly #tail: string[] = [];
  readonly #trace = new BuildKitTrace();
  #id: string | undefined;

  constructor(onLine: (line: BuildLine) => void, fail: StreamFailure) {
    this.#onLine = onLine;
    this.#fail = fail;
  }

  /** The image id the engine reported (`aux.ID`, else "Successfully built <id>"), once seen. */
  get id(): string | undefined {
    return this.#id;
  }

  feed(chunk: Buffer | string): void {
    this.#pending += typeof chunk === 'string' ? chunk : this.#decoder.write(chunk);
    let newline: number;
    while ((newline = this.#pending.indexOf('\n')) >= 0) {
      const line = this.#pending.slice(0, newline);
      this.#pending = this.#pending.slice(newline + 1);
      this.#decode(line);
    }
  }

  /** The stream ended: decodes a last line that had no newline; returns the reported image id, if any. */
  end(): string | undefined {
    const rest = this.#pending + this.#decoder.end();
    this.#pending = '';
    this.#decode(rest);
    this.#flushText();
    return this.#id;
  }

  /** The failure for `reason`, carrying the last lines (including output not yet ended by a newline). */
  fail(reason: string, cause?: unknown): Error {
    this.#flushText();
    return this.#fail(reason, [...this.#tail], cause);
  }

  #decode(raw: string): void {
    const line = raw.trim();
    if (line === '') return;
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      message = undefined;
    }
    if (!isMessage(message)) throw this.fail(`malformed line from the engine: ${line.slice(0, 200)}`);

    const error = errorOf(message);
    if (error !== undefined) throw this.fail(error);
    if (message.id === BUILDKIT_TRACE_ID && typeof message.aux === 'string') {
      this.#addText(this.#traceText(message.aux));
      return;
    }
    if (typeof message.stream === 'string') this.#addText(message.stream);
    if (typeof message.status === 'string') {
      this.#emit(typeof message.id === 'string' ? `${message.id}: ${message.status}` : message.status);
    }
    if (isMessage(message.aux) && typeof message.aux.ID === 'string') this.#id = message.aux.ID;
  }

  #traceText(aux: string): string {
    try {
      return this.#trace.text(aux);
    } catch (error) {
      throw this.fail(`malformed BuildKit trace from the engine: ${aux.slice(0, 200)}`, error);
    }
  }

  #addText(text: string): void {
    const lines = (this.#text + text).split('\n');
    this.#text = lines.pop() ?? '';
    for (const line of lines) this.#emit(line);
  }

  #flushText(): void {
    if (this.#text === '') return;
    const rest = this.#text;
    this.#text = '';
    this.#emit(rest);
  }

  #emit(raw: string): void {
    const text = raw.replace(/\r$/, '');
    if (text.trim() === '') return; // the builder separates steps with empty lines
    this.#tail.push(text);
    if (this.#tail.length > TAIL_LINES) this.#tail.shift();
    const built = SUCCESSFULLY_BUILT.exec(text);
    if (built) this.#id ??= built[1];
    this.#onLine({ text });
  }
}

function errorOf(message: Message): string | undefined {
  const detail = message.errorDetail;
  if (isMessage(detail) && typeof detail.message === 'string' && detail.message !== '') return detail.message;
  if (typeof message.error === 'string') return message.error;
  return detail === undefined ? undefined : JSON.stringify(detail);
}
