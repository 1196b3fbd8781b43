import type { Command } from 'commander';
import { addDistroOption, imagesDir, type DistroOptions } from '../distro-option.js';
import { selectImages } from '../image-selection.js';
import { openSuites, suitesWithNames } from '../suite-option.js';
import { writableDir } from '../work-dir.js';
import type { Output } from '../../ui/output.js';

interface RenderOptions extends DistroOptions {
  out?: string;
}

export function registerRender(program: Command, output: Output): void {
  addDistroOption(program.command('render'))
    .description(
      'render build contexts (Dockerfiles, Omnibus recipes, sealing scripts) into images/<name>/<strategy>/ (<strategy>-<suite>/ for another suite)',
    )
    .argument('[names...]', 'images to render (default: all, and stale image folders are removed)')
    .option(
      '--out <dir>',
      "output folder (default: images/ beside the distro folder; with the installed package's distro, ./images)",
    )
    .action(async (names: string[], options: RenderOptions) => {
      const { renderDistro } = await import('../../render/render-distro.js');
      const { writeContexts } = await import('../../render/write-contexts.js');
      const started = performance.now();
      const suites = suitesWithNames(await openSuites(options, output), names);
      const contexts = (
        await Promise.all(suites.map(([distro, held]) => renderDistro(distro, selectImages(distro, held))))
      ).flat();
      const [first] = suites;
      if (!first) return;
      const out = await writableDir(imagesDir(first[0], options.out), '--out');
      await writeContexts(out, contexts, names.length === 0);
      const files = contexts.reduce((n, c) => n + c.files.size, 0);
      output.out(
        `rendered ${contexts.length} contexts (${files} files) into ${out} in ${Math.round(performance.now() - started)} ms`,
      );
    });
}
