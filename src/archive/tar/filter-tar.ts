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
  let pending = Buffer.alloc(0); // bytes not yet consumed by the current state
  let meta: Buffer[] = []; // extended headers (and their bodies) of the entry being read
  let overrides: Overrides = {};
  let state: 'header' | 'meta' | 'data' | 'end' = 'header';
  let metaType = '';
  let remaining = 0; // bytes of the current body, padding included
  let metaSize = 0;
  let passing = false;

  const onHeader = (block: Buffer, push: (b: Buffer) => void): void => {
    if (block.every((b) => b === 0)) {
      state = 'end';
      return;
    }
    const header = new Header(block);
    if (!header.cksumValid) throw new DappdepsError('corrupt tar stream: a header block fails its checksum');
    const type = header.type;
    const size = overrides.size ?? header.size ?? 0;
    const padded = Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'GlobalExtendedHeader') {
      push(block); // applies to every later entry: always kept, with its body
      passing = true;
      remaining = padded;
      state = remaining > 0 ? 'data' : 'header';
      return;
    }
    if (
      type === 'ExtendedHeader' ||
      type === 'OldExtendedHeader' ||
      type === 'NextFileHasLongPath' ||
      type === 'NextFileHasLongLinkpath'
    ) {
      meta.push(block);
      metaType = type;
      metaSize = size;
      remaining = padded;
      state = remaining > 0 ? 'meta' : 'header';
      return;
    }
    const rawPath = overrides.path ?? header.path ?? '';
    const info: TarEntryInfo = {
      path: entryPath(rawPath),
      type,
      linkpath: overrides.linkpath ?? header.linkpath,
      mode: header.mode ?? 0,
      size,
    };
    passing = keep(info);
    if (passing) {
      for (const m of meta) push(m);
      push(block);
    }
    meta = [];
    overrides = {};
    remaining = type === 'File' || type === 'OldFile' || type === 'ContiguousFile' ? padded : 0;
    state = remaining > 0 ? 'data' : 'header';
  };

  const onMeta = (body: Buffer): void => {
    meta.push(body);
    const content = body.subarray(0, metaSize);
    if (metaType === 'NextFileHasLongPath') overrides.path = cString(content);
    else if (metaType === 'NextFileHasLongLinkpath') overrides.linkpath = cString(content);
    else Object.assign(overrides, paxRecords(content));
  };

  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      const push = (b: Buffer): void => void this.push(b);
      try {
        let data = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
        pending = Buffer.alloc(0);
        while (data.length > 0) {
          if (state === 'end') break;
          if (state === 'data') {
            const n = Math.min(remaining, data.length);
            if (passing) push(data.subarray(0, n));
            remaining -= n;
            data = data.subarray(n);
            if (remaining === 0) state = 'header';
            continue;
          }
          const need = state === 'header' ? BLOCK : remaining;
          if (data.length < need) {
            pending = Buffer.from(data);
            break;
          }
          const piece = data.subarray(0, need);
          data = data.subarray(need);
          if (state === 'header') onHeader(piece, push);
          else {
            onMeta(Buffer.from(piece));
            state = 'header';
          }
        }
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback: TransformCallback) {
      if (state !== 'end') {
        callback(new DappdepsError('truncated tar stream: it ends before its end-of-archive blocks'));
        return;
      }
      this.push(Buffer.alloc(2 * BLOCK));
      callback();
    },
  });
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
