import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { extractImage } from '../../image/extract-image.js';
import type { PathTree } from '../../archive/overlay/path-tree.js';
import { DappdepsError } from '../../errors.js';
import { E2fsError, e2fs } from './e2fs-tools.js';
import { type EntryMeta, readImageTree } from './image-tree.js';

const BLOCK = 4096;

export interface Ext4Options {
  /** Free space the filesystem keeps beyond its content, in bytes. */
  free: number;
}

export interface Ext4Result {
  /** Size of the filesystem image. */
  bytes: number;
  /** Inodes the content uses. */
  inodes: number;
  /** Free space left in it (before device nodes are added, which take no blocks). */
  freeBytes: number;
  /** Entries whose metadata extraction could not give (device nodes, setuid bits, owners) set afterwards. */
  fixups: number;
}

const SPECIAL = new Set<EntryMeta['type']>(['character-device', 'block-device', 'fifo']);
const TYPE_BITS: Partial<Record<EntryMeta['type'], number>> = {
  file: 0o100000,
  directory: 0o040000,
  symlink: 0o120000,
  'character-device': 0o020000,
  'block-device': 0o060000,
  fifo: 0o010000,
};

/**
 * Writes the flattened root of an image as an ext4 filesystem image at `file`, without privileges: the root is
 * extracted (whiteouts applied) to a staging folder under the temp dir, `mkfs.ext4 -d` copies it, debugfs gives
 * back what extraction cannot (device nodes, setuid/setgid/sticky bits, owners when not run as root), and
 * resize2fs sizes it to what the content takes plus `free`. `save` is called twice: headers, then files.
 */
export async function writeExt4Image(
  save: () => Promise<NodeJS.ReadableStream>,
  file: string,
  options: Ext4Options,
): Promise<Ext4Result> {
  const tree = await readImageTree(await save());
  const specials = new Set<string>();
  for (const [rel, meta] of tree.entries()) if (SPECIAL.has(meta.type)) specials.add(rel);
  const staging = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'dappdeps-ext4-'));
  try {
    const root = path.join(staging, 'root');
    await extractImage(await save(), { target: root, leaveOut: specials });
    const usage = measure(root);
    const script = fixups(root, tree);
    await makeFilesystem(root, file, usage.inodes, estimateBlocks(usage));
    if (script.length > 0) await applyFixups(file, script, path.join(staging, 'fixups.debugfs'));
    // Made with room to spare, then resized to what the content takes plus the headroom; resize2fs will not go
    // below its own estimate of the minimum, so with little headroom a little more can be free.
    const made = await blockCounts(file);
    const { stdout } = await e2fs('resize2fs', ['-P', file]);
    const minimum = Number(/minimum size of the filesystem: (\d+)/.exec(stdout)?.[1]);
    if (!Number.isSafeInteger(minimum)) throw new DappdepsError(`resize2fs -P gave no minimum size:\n${stdout}`);
    const wanted = Math.max(minimum, made.blocks - made.free + Math.ceil(options.free / BLOCK));
    if (wanted !== made.blocks) await e2fs('resize2fs', [file, String(wanted)]);
    const final = await blockCounts(file);
    return {
      bytes: fs.statSync(file).size,
      inodes: usage.inodes,
      freeBytes: final.free * BLOCK,
      fixups: script.filter((l) => l.startsWith('sif')).length,
    };
  } finally {
    await fs.promises.rm(staging, { recursive: true, force: true });
  }
}

interface Usage {
  blocks: number;
  inodes: number;
}

/** Blocks and inodes the tree needs in ext4 (4 KiB blocks, hardlinks counted once). */
function measure(root: string): Usage {
  const seen = new Set<number>();
  const usage: Usage = { blocks: 1, inodes: 1 };
  const walk = (dir: string): void => {
    const names = fs.readdirSync(dir);
    usage.blocks += Math.ceil(Math.max(1, names.length * 64) / BLOCK);
    for (const name of names) {
      const abs = path.join(dir, name);
      const st = fs.lstatSync(abs);
      if (seen.has(st.ino)) continue;
      seen.add(st.ino);
      usage.inodes++;
      if (st.isDirectory()) walk(abs);
      else if (st.isFile() || st.size > 59) usage.blocks += Math.ceil(st.size / BLOCK); // short symlinks live in the inode
    }
  };
  walk(root);
  return usage;
}

/** Content, inode tables (16 inodes per block) and room for the journal and group metadata: rough, generous. */
function estimateBlocks(usage: Usage): number {
  return Math.ceil((usage.blocks + usage.inodes / 16) * 1.2) + 8192;
}

/**
 * `mkfs.ext4 -d` at `blocks`, grown when the content does not fit after all.
 * No blocks are reserved for root: the headroom asked for is what is free.
 */
async function makeFilesystem(root: string, file: string, inodes: number, blocks: number): Promise<void> {
  const inodeCount = inodes + Math.max(64, Math.ceil(inodes / 10));
  for (let attempt = 0, size = blocks; ; attempt++, size = Math.ceil(size * 1.25)) {
    try {
      fs.rmSync(file, { force: true }); // mkfs keeps a bigger existing file's length
      await e2fs('mkfs.ext4', [
        '-q',
        '-F',
        '-b',
        String(BLOCK),
        '-m',
        '0',
        '-N',
        String(inodeCount),
        '-L',
        'dappdeps',
        '-E',
        'root_owner=0:0',
        '-d',
        root,
        file,
        String(size),
      ]);
      return;
    } catch (error) {
      const full =
        error instanceof E2fsError &&
        error.code === undefined &&
        /Could not allocate|No free space/i.test(error.output);
      if (!full || attempt >= 4) throw error;
    }
  }
}

/** The filesystem's size and free space, in blocks. */
async function blockCounts(file: string): Promise<{ blocks: number; free: number }> {
  const { stdout } = await e2fs('dumpe2fs', ['-h', file]);
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(stdout)?.[1]);
  return { blocks: field('Block count'), free: field('Free blocks') };
}

/** debugfs commands giving every path the image's metadata where the staged copy differs. */
function fixups(root: string, tree: PathTree<EntryMeta>): string[] {
  const lines: string[] = [];
  for (const [rel, meta] of tree.entries()) {
    if (meta.type === 'link') continue; // the inode is its target's, fixed there
    const abs = `/${rel}`;
    const want = (TYPE_BITS[meta.type] ?? 0) | meta.mode;
    if (SPECIAL.has(meta.type)) {
      const node =
        meta.type === 'fifo' ? 'p' : `${meta.type === 'block-device' ? 'b' : 'c'} ${meta.devmajor} ${meta.devminor}`;
      lines.push(`cd ${quote(path.posix.dirname(abs))}`, `mknod ${quote(path.posix.basename(abs))} ${node}`, 'cd /');
      lines.push(
        `sif ${quote(abs)} mode 0${want.toString(8)}`,
        `sif ${quote(abs)} uid ${meta.uid}`,
        `sif ${quote(abs)} gid ${meta.gid}`,
      );
      continue;
    }
    const staged = fs.lstatSync(path.join(root, rel), { throwIfNoEntry: false });
    if (!staged) continue; // an entry extraction merged away (a path twice in the image); mkfs copied what is there
    if (meta.type !== 'symlink' && (staged.mode & 0o7777) !== meta.mode)
      lines.push(`sif ${quote(abs)} mode 0${want.toString(8)}`);
    if (staged.uid !== meta.uid) lines.push(`sif ${quote(abs)} uid ${meta.uid}`);
    if (staged.gid !== meta.gid) lines.push(`sif ${quote(abs)} gid ${meta.gid}`);
  }
  return lines;
}

/** debugfs reads double-quoted arguments; a path it cannot quote is refused rather than mangled. */
function quote(p: string): string {
  if (/["\\\n\r\t]/.test(p))
    throw new DappdepsError(
      `cannot write ${JSON.stringify(p)} into an ext4 image: its name has a quote, backslash or control character`,
    );
  return `"${p}"`;
}

/** debugfs exits 0 whatever happens: any line on stderr besides its banner is a failed command. */
async function applyFixups(file: string, script: readonly string[], scriptFile: string): Promise<void> {
  fs.writeFileSync(scriptFile, `${script.join('\n')}\n`);
  const { stderr } = await e2fs('debugfs', ['-w', '-f', scriptFile, file]);
  const problems = stderr.split('\n').filter((l) => l.trim() !== '' && !/^debugfs \d/.test(l));
  if (problems.length > 0)
    throw new DappdepsError(`debugfs could not set the image's metadata:\n  ${problems.slice(0, 10).join('\n  ')}`);
}
