import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Strategy } from '../../manifest/model.js';
import { addDistroOption, openDistro, type DistroOptions } from '../distro-option.js';
import { openEngine } from '../engine-session.js';
import type { Output } from '../../ui/output.js';
import { strategyOption, whichBuild } from '../strategy-option.js';

/** The formats `--format` accepts (here, so that `--help` loads no exporter). */
const exportFormats = ['oci', 'docker', 'ext4'] as const;
type ExportFormat = (typeof exportFormats)[number];

interface ExportOptions extends DistroOptions {
  format: ExportFormat;
  out: string;
  free: number;
  strategy: Strategy;
}

const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

/** `64M`, `1G`, `512K` or plain bytes. */
export function parseSize(value: string): number {
  const match = /^(\d+)([KMG]?)i?B?$/i.exec(value.trim());
  if (!match) throw new InvalidArgumentError('a size like 64M, 1G or 4096');
  return Number(match[1]) * (UNITS[(match[2] ?? '').toUpperCase()] ?? 1);
}

export function registerExport(program: Command, output: Output): void {
  addDistroOption(program.command('export'))
    .description('write an image as an OCI layout folder, a docker load archive, or an ext4 filesystem image')
    .argument('<image>', "a distro image's name (e.g. base), or any image reference the engine has")
    .addOption(new Option('--format <format>', 'oci, docker or ext4').choices(exportFormats).makeOptionMandatory())
    .requiredOption('--out <path>', 'the folder (oci: missing or empty) or file to write')
    .option('--free <size>', 'ext4: free space beyond the content (e.g. 64M, 1G)', parseSize, 64 * 1024 ** 2)
    .addOption(strategyOption(whichBuild('export')))
    .action(async (reference: string, options: ExportOptions) => {
      const { exportImage } = await import('../../publish/export-image.js');
      const distro = await openDistro(options, output);
      const image = distro.images.find((i) => i.name === reference);
      const ref = image ? distro.index.tag(image, options.strategy) : reference;
      const docker = await openEngine();
      const started = performance.now();
      const result = await exportImage(docker, { ref, format: options.format, out: options.out, free: options.free });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      output.out(
        `${ref} -> ${options.out} (${options.format}): ${(result.bytes / 1e6).toFixed(1)} MB in ${seconds}s; ${result.detail}`,
      );
    });
}
