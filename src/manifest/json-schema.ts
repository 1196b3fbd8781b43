import { z } from 'zod';
import { distroSettings, imageManifest } from './schema.js';

/** The published JSON Schema files (schema/*.schema.json), generated from the one zod schema. */
export function jsonSchemas(): Record<string, string> {
  const render = (schema: z.ZodType, title: string) =>
    `${JSON.stringify({ title, ...z.toJSONSchema(schema, { io: 'input' }) }, null, 2)}\n`;
  return {
    'manifest.schema.json': render(imageManifest, 'dappdeps image manifest'),
    'distro.schema.json': render(distroSettings, 'dappdeps distro settings'),
  };
}
