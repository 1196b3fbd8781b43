import { Transform, type TransformCallback } from 'node:stream';
import { Header } from 'tar';
import { DappdepsError } from '../../errors.js';
import { entryPath } from './entry-path.js';

const BLOCK = 512;

/** One file system entry of a tar stream, as the filter's decision sees it. */
export interface TarEntryInfo {
  /** Normal form, relative to the archive root ('' for the root itself). */
  path: string;
  type: string;
  linkpath?: string;
  mode: number;
  size: number;
}

/** Keep the entry (true) or leave it out (false). */
export type TarDecision = (entry: TarEntryInfo) => boolean;

/** Overrides a pax or GNU long-name record sets for the next entry. */
interface Overrides {
  path?: string;
  linkpath?: string;
  size?: number;
}

/**
 * A tar stream of the entries `keep` accepts, byte for byte as they came: headers, extended (pax) records
 * with their binary values (file capabilities, ACLs), long names and data are copied, never re-encoded, so
 * modes, owners, times and xattrs stay exactly what they were. Memory stays bounded: data passes through
 * in the chunks it arrives in; only headers and extended records are held. The output ends with the two
 * zero blocks tar requires; anything after the input's end marker is ignored.
 */
export function filterTar(keep: TarDecision): Transform {
  const filter = new TarFilter(keep);
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      try {
        filter.consume(chunk, (b) => void this.push(b));
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback: TransformCallback) {
      if (!filter.ended()) {
        callback(new DappdepsError('truncated tar stream: it ends before its end-of-archive blocks'));
        return;
      }
      this.push(Buffer.alloc(2 * BLOCK));
      callback();
    },
  });
}

const META_TYPES = new Set(['ExtendedHeader', 'OldExtendedHeader', 'NextFileHasLongPath', 'NextFileHasLongLinkpath']);
const BODY_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);

/** The state of filterTar between chunks: which part of the archive the next bytes belong to. */
class TarFilter {
  private pending = Buffer.alloc(0); // bytes not yet consumed by the current state
  private meta: Buffer[] = []; // extended headers (and their bodies) of the entry being read
  private overrides: Overrides = {};
  private state: 'header' | 'meta' | 'data' | 'end' = 'header';
  private metaType = '';
  private remaining = 0; // bytes of the current body, padding included
  private metaSize = 0;
  private passing = false;

  constructor(private readonly keep: TarDecision) {}

  ended(): boolean {
    return this.state === 'end';
  }

  consume(chunk: Buffer, push: (b: Buffer) => void): void {
    let data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    while (data.length > 0 && this.state !== 'end') {
      if (this.state === 'data') {
        const n = Math.min(this.remaining, data.length);
        if (this.passing) push(data.subarray(0, n));
        this.remaining -= n;
        data = data.subarray(n);
        if (this.remaining === 0) this.state = 'header';
        continue;
      }
      const need = this.state === 'header' ? BLOCK : this.remaining;
      if (data.length < need) {
        this.pending = Buffer.from(data);
        break;
      }
      const piece = data.subarray(0, need);
      data = data.subarray(need);
      if (this.state === 'header') this.onHeader(piece, push);
      else {
        this.onMeta(Buffer.from(piece));
        this.state = 'header';
      }
    }
  }

  private onHeader(block: Buffer, push: (b: Buffer) => void): void {
    if (block.every((b) => b === 0)) {
      this.state = 'end';
      return;
    }
    const header = new Header(block);
    if (!header.cksumValid) throw new DappdepsError('corrupt tar stream: a header block fails its checksum');
    const type = header.type;
    const size = this.overrides.size ?? header.size ?? 0;
    const padded = Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'GlobalExtendedHeader') {
      push(block); // applies to every later entry: always kept, with its body
      this.passing = true;
      this.expect(padded, 'data');
    } else if (META_TYPES.has(type)) {
      this.meta.push(block);
      this.metaType = type;
      this.metaSize = size;
      this.expect(padded, 'meta');
    } else {
      this.onEntry(block, header, size, push);
      this.expect(BODY_TYPES.has(type) ? padded : 0, 'data');
    }
  }

  /** An entry's own header: kept with its extended headers, or dropped with them and its body. */
  private onEntry(block: Buffer, header: Header, size: number, push: (b: Buffer) => void): void {
    const info: TarEntryInfo = {
      path: entryPath(this.overrides.path ?? header.path ?? ''),
      type: header.type,
      linkpath: this.overrides.linkpath ?? header.linkpath,
      mode: header.mode ?? 0,
      size,
    };
    this.passing = this.keep(info);
    if (this.passing) {
      for (const m of this.meta) push(m);
      push(block);
    }
    this.meta = [];
    this.overrides = {};
  }

  private expect(bytes: number, state: 'data' | 'meta'): void {
    this.remaining = bytes;
    this.state = bytes > 0 ? state : 'header';
  }

  private onMeta(body: Buffer): void {
    this.meta.push(body);
    const content = body.subarray(0, this.metaSize);
    if (this.metaType === 'NextFileHasLongPath') this.overrides.path = cString(content);
    else if (this.metaType === 'NextFileHasLongLinkpath') this.overrides.linkpath = cString(content);
    else Object.assign(this.overrides, paxRecords(content));
  }
}

function cString(buf: Buffer): string {
  const nul = buf.indexOf(0);
  return buf.toString('utf8', 0, nul === -1 ? buf.length : nul);
}

/**
 * The records of a pax extended header that decide what an entry is. Records are length-prefixed
 * (`<len> <key>=<value>\n`) and values may be binary (xattrs), so they are split by length, not by line.
 */
function paxRecords(body: Buffer): Overrides {
  const found: Overrides = {};
  let offset = 0;
  while (offset < body.length) {
    const space = body.indexOf(0x20, offset);
    if (space === -1) break;
    const length = Number(body.toString('latin1', offset, space));
    if (!Number.isInteger(length) || length <= space - offset || offset + length > body.length) {
      throw new DappdepsError('corrupt tar stream: malformed pax record');
    }
    const record = body.subarray(space + 1, offset + length - 1); // without the trailing newline
    const eq = record.indexOf(0x3d);
    const key = record.toString('utf8', 0, eq);
    const value = record.subarray(eq + 1);
    if (key === 'path') found.path = value.toString('utf8');
    else if (key === 'linkpath') found.linkpath = value.toString('utf8');
    else if (key === 'size') found.size = Number(value.toString('latin1'));
    offset += length;
  }
  return found;
}
