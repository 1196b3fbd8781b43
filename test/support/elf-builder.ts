/**
 * Builds minimal ELF files for tests: header, two PT_LOAD segments (with different address-to-offset
 * deltas, so DT_STRTAB must really be mapped), optional PT_INTERP and PT_DYNAMIC with a string table.
 * Enough for ld.so-style readers (readelf agrees with them); not runnable.
 */
export interface ElfSpec {
  elfClass?: 32 | 64;
  endianness?: 'little' | 'big';
  type?: 'REL' | 'EXEC' | 'DYN';
  machine?: number;
  interpreter?: string;
  /** Emit PT_DYNAMIC (default: true). */
  dynamic?: boolean;
  needed?: string[];
  rpath?: string;
  runpath?: string;
  soname?: string;
  /** Set DF_1_PIE in DT_FLAGS_1. */
  pie?: boolean;
}

const EM_X86_64 = 62;
const TYPES = { REL: 1, EXEC: 2, DYN: 3 } as const;
const TEXT_VADDR = 0x10000;
const DATA_VADDR = 0x200000;

class Writer {
  readonly buf: Buffer;

  constructor(
    size: number,
    private readonly little: boolean,
    private readonly is64: boolean,
  ) {
    this.buf = Buffer.alloc(size);
  }

  u16(at: number, v: number): void {
    if (this.little) this.buf.writeUInt16LE(v, at);
    else this.buf.writeUInt16BE(v, at);
  }

  u32(at: number, v: number): void {
    if (this.little) this.buf.writeUInt32LE(v, at);
    else this.buf.writeUInt32BE(v, at);
  }

  /** Address-sized field; returns the offset after it. */
  word(at: number, v: number | bigint): number {
    if (!this.is64) {
      this.u32(at, Number(v));
      return at + 4;
    }
    if (this.little) this.buf.writeBigUInt64LE(BigInt(v), at);
    else this.buf.writeBigUInt64BE(BigInt(v), at);
    return at + 8;
  }
}

export function buildElf(spec: ElfSpec = {}): Buffer {
  const is64 = (spec.elfClass ?? 64) === 64;
  const ehsize = is64 ? 64 : 52;
  const phsize = is64 ? 56 : 32;
  const wordSize = is64 ? 8 : 4;
  const dynamic = spec.dynamic ?? true;

  // The string table: index 0 is the empty string.
  let strtab = Buffer.from([0]);
  const str = (s: string): number => {
    const at = strtab.length;
    strtab = Buffer.concat([strtab, Buffer.from(`${s}\0`)]);
    return at;
  };
  const tags: Array<[number | bigint, number | bigint]> = [];
  for (const n of spec.needed ?? []) tags.push([1, str(n)]);
  if (spec.soname !== undefined) tags.push([14, str(spec.soname)]);
  if (spec.rpath !== undefined) tags.push([15, str(spec.rpath)]);
  if (spec.runpath !== undefined) tags.push([29, str(spec.runpath)]);
  if (spec.pie) tags.push([0x6ffffffbn, 0x08000000n]);

  const phnum = 2 + (spec.interpreter === undefined ? 0 : 1) + (dynamic ? 1 : 0);
  const interpAt = ehsize + phnum * phsize;
  const interp = spec.interpreter === undefined ? Buffer.alloc(0) : Buffer.from(`${spec.interpreter}\0`);
  const strtabAt = interpAt + interp.length + 16;
  const dynAt = strtabAt + strtab.length + (wordSize - ((strtabAt + strtab.length) % wordSize));
  const dynCount = tags.length + 3; // + DT_STRTAB, DT_STRSZ, DT_NULL
  const size = dynAt + (dynamic ? dynCount * 2 * wordSize : 0);
  const dataVaddr = DATA_VADDR + strtabAt;
  tags.push([5, dataVaddr], [10, strtab.length], [0, 0]);

  const w = new Writer(size, (spec.endianness ?? 'little') === 'little', is64);
  w.buf.writeUInt32BE(0x7f454c46, 0);
  w.buf[4] = is64 ? 2 : 1;
  w.buf[5] = (spec.endianness ?? 'little') === 'little' ? 1 : 2;
  w.buf[6] = 1;
  w.u16(16, TYPES[spec.type ?? 'DYN']);
  w.u16(18, spec.machine ?? EM_X86_64);
  w.u32(20, 1);
  const phoffAt = 24 + wordSize; // after e_entry
  w.word(phoffAt, ehsize);
  const flagsAt = phoffAt + 2 * wordSize; // after e_phoff, e_shoff
  w.u16(flagsAt + 4, ehsize);
  w.u16(flagsAt + 6, phsize);
  w.u16(flagsAt + 8, phnum);

  const phdrs: Array<{ type: number; offset: number; vaddr: number; filesz: number }> = [
    { type: 1, offset: 0, vaddr: TEXT_VADDR, filesz: strtabAt },
    { type: 1, offset: strtabAt, vaddr: dataVaddr, filesz: size - strtabAt },
  ];
  if (spec.interpreter !== undefined)
    phdrs.push({ type: 3, offset: interpAt, vaddr: TEXT_VADDR + interpAt, filesz: interp.length });
  if (dynamic) phdrs.push({ type: 2, offset: dynAt, vaddr: DATA_VADDR + dynAt, filesz: dynCount * 2 * wordSize });
  phdrs.forEach((p, i) => {
    const at = ehsize + i * phsize;
    w.u32(at, p.type);
    if (is64) {
      w.u32(at + 4, 5);
      w.word(at + 8, p.offset);
      w.word(at + 16, p.vaddr);
      w.word(at + 24, p.vaddr);
      w.word(at + 32, p.filesz);
      w.word(at + 40, p.filesz);
      w.word(at + 48, 8);
    } else {
      w.u32(at + 4, p.offset);
      w.u32(at + 8, p.vaddr);
      w.u32(at + 12, p.vaddr);
      w.u32(at + 16, p.filesz);
      w.u32(at + 20, p.filesz);
      w.u32(at + 24, 5);
      w.u32(at + 28, 4);
    }
  });
  interp.copy(w.buf, interpAt);
  strtab.copy(w.buf, strtabAt);
  if (dynamic) {
    let at = dynAt;
    for (const [tag, value] of tags) at = w.word(w.word(at, tag), value);
  }
  return w.buf;
}
