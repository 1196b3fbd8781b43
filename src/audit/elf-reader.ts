/**
 * A small ELF reader: just what the audit needs (interpreter, NEEDED, RPATH, RUNPATH, SONAME) for 32- and
 * 64-bit files of either byte order. The npm ELF parsers we looked at read whole files into memory and
 * stop at section headers; ours reads only the header, the program headers, PT_INTERP and the dynamic
 * strings, so a 100 MB library costs a handful of small reads.
 *
 * The parser is a generator that yields the byte ranges it needs; `parseElf` feeds it from a buffer and
 * `readElf` from a file handle, so both share one implementation.
 */
import { open } from 'node:fs/promises';
import { ElfFormatError } from '../errors.js';

export type ElfType = 'REL' | 'EXEC' | 'DYN' | 'CORE' | 'OTHER';

export interface ElfInfo {
  elfClass: 32 | 64;
  endianness: 'little' | 'big';
  type: ElfType;
  /** e_machine, e.g. 62 for x86-64 (EM_X86_64). */
  machine: number;
  /** PT_INTERP: the program interpreter (ld.so) the kernel starts. */
  interpreter: string | undefined;
  /** The file has a PT_DYNAMIC segment. */
  dynamic: boolean;
  needed: string[];
  /** DT_RPATH entries, split on ':'. */
  rpath: string[];
  /** DT_RUNPATH entries, split on ':'. */
  runpath: string[];
  soname: string | undefined;
  /** Runs without ld.so: no PT_DYNAMIC, or a static PIE (no interpreter, nothing NEEDED, DF_1_PIE). */
  isStatic: boolean;
}

interface ReadRequest {
  offset: number;
  length: number;
}

/** Yields the ranges it needs, receives their bytes, returns the parsed file. */
type ElfParser = Generator<ReadRequest, ElfInfo | undefined, Buffer>;

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NULL = 0n;
const DT_NEEDED = 1n;
const DT_STRTAB = 5n;
const DT_STRSZ = 10n;
const DT_SONAME = 14n;
const DT_RPATH = 15n;
const DT_RUNPATH = 29n;
const DT_FLAGS_1 = 0x6ffffffbn;
const DF_1_PIE = 0x08000000n;
const PN_XNUM = 0xffff;
/** PATH_MAX: a longer PT_INTERP is corrupt, not a path. */
const MAX_INTERP = 4096;
/** Dynamic strings are read in chunks of this size until their NUL. */
const STRING_CHUNK = 256;
const TYPES: Record<number, ElfType> = { 1: 'REL', 2: 'EXEC', 3: 'DYN', 4: 'CORE' };

/** Field offsets and sizes that differ between ELFCLASS32 and ELFCLASS64. */
const LAYOUT = {
  32: {
    ehsize: 52,
    phoff: 28,
    phentsize: 42,
    phnum: 44,
    shoff: 32,
    shInfo: 28,
    phsize: 32,
    dynsize: 8,
    ph: { offset: 4, vaddr: 8, filesz: 16 },
  },
  64: {
    ehsize: 64,
    phoff: 32,
    phentsize: 54,
    phnum: 56,
    shoff: 40,
    shInfo: 44,
    phsize: 56,
    dynsize: 16,
    ph: { offset: 8, vaddr: 16, filesz: 32 },
  },
} as const;

interface Segment {
  type: number;
  offset: number;
  /** Addresses may exceed 2^53 (ia64 maps programs at 0x4000000000000000). */
  vaddr: bigint;
  filesz: number;
}

/** Reads fixed-width fields of one byte order; 64-bit values must fit a safe integer. */
class Fields {
  constructor(
    private readonly little: boolean,
    private readonly is64: boolean,
  ) {}

  u16(b: Buffer, at: number): number {
    return this.little ? b.readUInt16LE(at) : b.readUInt16BE(at);
  }

  u32(b: Buffer, at: number): number {
    return this.little ? b.readUInt32LE(at) : b.readUInt32BE(at);
  }

  /** An address-sized unsigned field (Elf32_Addr/Off or Elf64_Addr/Off/Xword) as bigint. */
  wordBig(b: Buffer, at: number): bigint {
    if (!this.is64) return BigInt(this.u32(b, at));
    return this.little ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at);
  }

  word(b: Buffer, at: number): number {
    const v = this.wordBig(b, at);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt(`value 0x${v.toString(16)} at ${at} is out of range`);
    return Number(v);
  }
}

function corrupt(detail: string): ElfFormatError {
  return new ElfFormatError(`corrupt ELF: ${detail}`);
}

/** Requests `length` bytes at `offset`, failing clearly when the file is too short. */
function* read(size: number, offset: number, length: number, what: string): Generator<ReadRequest, Buffer, Buffer> {
  if (offset + length > size) {
    throw new ElfFormatError(
      `truncated ELF: ${what} at bytes ${offset}..${offset + length} is past the end of the ${size}-byte file`,
    );
  }
  return yield { offset, length };
}

/** A NUL-terminated string at `index` in the string table at file offset `table` of `tableSize` bytes. */
function* readString(
  size: number,
  table: number,
  tableSize: number,
  index: number,
): Generator<ReadRequest, string, Buffer> {
  if (index >= tableSize) throw corrupt(`string index ${index} is past the string table (${tableSize} bytes)`);
  const parts: Buffer[] = [];
  for (let at = index; at < tableSize; at += STRING_CHUNK) {
    const chunk = yield* read(size, table + at, Math.min(STRING_CHUNK, tableSize - at), 'dynamic string');
    const nul = chunk.indexOf(0);
    parts.push(nul < 0 ? chunk : chunk.subarray(0, nul));
    if (nul >= 0) return Buffer.concat(parts).toString('utf8');
  }
  throw corrupt(`string at index ${index} is not NUL-terminated`);
}

/** Maps a virtual address to a file offset through the PT_LOAD segment that holds it. */
function fileOffset(loads: readonly Segment[], vaddr: bigint): number {
  const seg = loads.find((s) => vaddr >= s.vaddr && vaddr < s.vaddr + BigInt(s.filesz));
  if (!seg) throw corrupt(`address 0x${vaddr.toString(16)} is in no PT_LOAD segment`);
  return seg.offset + Number(vaddr - seg.vaddr);
}

function splitPath(list: string): string[] {
  return list === '' ? [] : list.split(':');
}

type Reads<T> = Generator<ReadRequest, T, Buffer>;
type Layout = (typeof LAYOUT)[32 | 64];

function* parse(size: number): ElfParser {
  const hdr = yield* read(size, 0, Math.min(size, LAYOUT[64].ehsize), 'ELF header');
  if (hdr.length < 4 || hdr.readUInt32BE(0) !== 0x7f454c46) return undefined;
  const tooShort = () => new ElfFormatError(`truncated ELF: ${size} bytes is too short for the ELF header`);
  if (hdr.length < 16) throw tooShort();
  const cls = hdr[4];
  const data = hdr[5];
  if (cls !== 1 && cls !== 2) throw corrupt(`unknown class ${cls}`);
  if (data !== 1 && data !== 2) throw corrupt(`unknown data encoding ${data}`);
  const elfClass = cls === 1 ? 32 : 64;
  const L = LAYOUT[elfClass];
  const f = new Fields(data === 1, elfClass === 64);
  if (size < L.ehsize) throw tooShort();
  const segments = yield* readSegments(size, hdr, f, L);
  const interpreter = yield* readInterpreter(size, segments);
  const info: ElfInfo = {
    elfClass,
    endianness: data === 1 ? 'little' : 'big',
    type: TYPES[f.u16(hdr, 16)] ?? 'OTHER',
    machine: f.u16(hdr, 18),
    interpreter,
    dynamic: false,
    needed: [],
    rpath: [],
    runpath: [],
    soname: undefined,
    isStatic: true,
  };
  const dynSeg = segments.find((s) => s.type === PT_DYNAMIC);
  if (!dynSeg) return info;
  const flags1 = yield* readDynamic(size, dynSeg, segments, f, L, info);
  info.isStatic = interpreter === undefined && info.needed.length === 0 && (flags1 & DF_1_PIE) !== 0n;
  return info;
}

/** The program headers (PN_XNUM: more than e_phnum holds, the count is in section header 0). */
function* readSegments(size: number, hdr: Buffer, f: Fields, L: Layout): Reads<Segment[]> {
  const phoff = f.word(hdr, L.phoff);
  const phentsize = f.u16(hdr, L.phentsize);
  let phnum = f.u16(hdr, L.phnum);
  if (phnum === PN_XNUM) {
    const sh0 = yield* read(size, f.word(hdr, L.shoff), L.shInfo + 4, 'section header 0');
    phnum = f.u32(sh0, L.shInfo);
  }
  if (phnum > 0 && phentsize < L.phsize) throw corrupt(`program header entry size ${phentsize} is too small`);
  const phdrs = yield* read(size, phoff, phnum * phentsize, 'program headers');
  const segments: Segment[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = i * phentsize;
    segments.push({
      type: f.u32(phdrs, at),
      offset: f.word(phdrs, at + L.ph.offset),
      vaddr: f.wordBig(phdrs, at + L.ph.vaddr),
      filesz: f.word(phdrs, at + L.ph.filesz),
    });
  }
  return segments;
}

function* readInterpreter(size: number, segments: readonly Segment[]): Reads<string | undefined> {
  const interpSeg = segments.find((s) => s.type === PT_INTERP);
  if (!interpSeg) return undefined;
  if (interpSeg.filesz > MAX_INTERP) throw corrupt(`PT_INTERP of ${interpSeg.filesz} bytes`);
  const raw = yield* read(size, interpSeg.offset, interpSeg.filesz, 'PT_INTERP');
  const nul = raw.indexOf(0);
  return raw.subarray(0, nul < 0 ? raw.length : nul).toString('utf8');
}

/** Reads PT_DYNAMIC into `info` (needed, soname, rpath, runpath); returns DT_FLAGS_1. */
function* readDynamic(
  size: number,
  dynSeg: Segment,
  segments: readonly Segment[],
  f: Fields,
  L: Layout,
  info: ElfInfo,
): Reads<bigint> {
  const dyn = yield* read(size, dynSeg.offset, dynSeg.filesz, 'PT_DYNAMIC');
  const strings: Array<{ tag: bigint; index: number }> = [];
  let strtab: bigint | undefined;
  let strsz: number | undefined;
  let flags1 = 0n;
  for (let at = 0; at + L.dynsize <= dyn.length; at += L.dynsize) {
    const tag = f.wordBig(dyn, at);
    if (tag === DT_NULL) break;
    const valueAt = at + L.dynsize / 2;
    if (tag === DT_STRTAB) strtab = f.wordBig(dyn, valueAt);
    else if (tag === DT_STRSZ) strsz = f.word(dyn, valueAt);
    else if (tag === DT_FLAGS_1) flags1 = f.wordBig(dyn, valueAt);
    else if (tag === DT_NEEDED || tag === DT_SONAME || tag === DT_RPATH || tag === DT_RUNPATH) {
      strings.push({ tag, index: f.word(dyn, valueAt) });
    }
  }
  info.dynamic = true;
  if (strings.length === 0) return flags1;
  if (strtab === undefined) throw corrupt('dynamic section has strings but no DT_STRTAB');
  const table = fileOffset(
    segments.filter((s) => s.type === PT_LOAD),
    strtab,
  );
  // Without DT_STRSZ the table runs at most to the end of the file.
  const tableSize = strsz ?? size - table;
  for (const { tag, index } of strings) {
    const s = yield* readString(size, table, tableSize, index);
    if (tag === DT_NEEDED) info.needed.push(s);
    else if (tag === DT_SONAME) info.soname = s;
    else if (tag === DT_RPATH) info.rpath.push(...splitPath(s));
    else info.runpath.push(...splitPath(s));
  }
  return flags1;
}

/** Parses an ELF file held in memory; undefined when `buf` is not ELF. Throws ElfFormatError when corrupt. */
export function parseElf(buf: Buffer): ElfInfo | undefined {
  const parser = parse(buf.length);
  let step = parser.next();
  while (!step.done) step = parser.next(buf.subarray(step.value.offset, step.value.offset + step.value.length));
  return step.value;
}

/**
 * Reads only the parts of the file at `path` that the parser asks for; undefined when it is not ELF.
 * Errors describe the problem, not the file: the caller knows which name to report it under.
 */
export async function readElf(path: string): Promise<ElfInfo | undefined> {
  const fh = await open(path, 'r');
  try {
    const parser = parse((await fh.stat()).size);
    let step = parser.next();
    while (!step.done) {
      const { offset, length } = step.value;
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, offset);
      if (bytesRead < length) throw new ElfFormatError('file shrank while being read');
      step = parser.next(buf);
    }
    return step.value;
  } finally {
    await fh.close();
  }
}
