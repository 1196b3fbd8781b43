import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { Output } from '../../ui/output.js';

export function registerSchema(program: Command, output: Output): void {
  program
    .command('schema')
    .description('write the JSON Schema files editors use to check manifests (schema/*.schema.json)')
    .option('--out <dir>', 'output folder', 'schema')
    .action(async (options: { out: string }) => {
      const { jsonSchemas } = await import('../../manifest/json-schema.js');
      await mkdir(options.out, { recursive: true });
      for (const [file, text] of Object.entries(jsonSchemas())) {
        await writeFile(path.join(options.out, file), text);
        output.out(`wrote ${path.join(options.out, file)}`);
      }
    });
}
