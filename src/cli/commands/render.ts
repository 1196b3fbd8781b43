import type { Command } from 'commander';
import { addDistroOption, imagesDir, openDistro, type DistroOptions } from '../distro-option.js';
import { selectImages } from '../image-selection.js';
import { writableDir } from '../work-dir.js';
import type { Output } from '../../ui/output.js';

interface RenderOptions extends DistroOptions {
  out?: string;
}

export function registerRender(program: Command, output: Output): void {
  addDistroOption(program.command('render'))
    .description('render build contexts (Dockerfiles, Omnibus recipes, sealing scripts) into images/<name>/<strategy>/')
    .argument('[names...]', 'images to render (default: all, and stale image folders are removed)')
    .option(
      '--out <dir>',
      "output folder (default: images/ beside the distro folder; with the installed package's distro, ./images)",
    )
    .action(async (names: string[], options: RenderOptions) => {
      const { renderDistro } = await import('../../render/render-distro.js');
      const { writeContexts } = await import('../../render/write-contexts.js');
      const started = performance.now();
      const distro = await openDistro(options, output);
      const contexts = await renderDistro(distro, selectImages(distro, names));
      const out = await writableDir(imagesDir(distro, options.out), '--out');
      await writeContexts(out, contexts, names.length === 0);
      const files = contexts.reduce((n, c) => n + c.files.size, 0);
      output.out(
        `rendered ${contexts.length} contexts (${files} files) into ${out} in ${Math.round(performance.now() - started)} ms`,
      );
    });
}
