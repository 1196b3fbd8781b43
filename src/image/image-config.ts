import { createHash } from 'node:crypto';
import { z } from 'zod';
import { DappdepsError } from '../errors.js';

/**
 * The configuration containers of an image start with: the engine's `Config` (image inspect) and the `config`
 * of an archive's image configuration are the same object, so one type serves both.
 */
export interface RunConfig {
  Hostname?: string;
  Domainname?: string;
  User?: string;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  ExposedPorts?: Record<string, object> | null;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Healthcheck?: HealthConfig | null;
  ArgsEscaped?: boolean;
  Image?: string;
  Volumes?: Record<string, object> | null;
  WorkingDir?: string;
  Entrypoint?: string[] | null;
  NetworkDisabled?: boolean;
  MacAddress?: string;
  OnBuild?: string[] | null;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  StopTimeout?: number;
  Shell?: string[] | null;
}

export interface HealthConfig {
  Test?: string[] | null;
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** An image configuration file (what an image id is the sha256 of), as archives and registries carry it. */
export interface ImageConfig {
  architecture?: string;
  variant?: string;
  os?: string;
  'os.version'?: string;
  created?: string;
  author?: string;
  docker_version?: string;
  config?: RunConfig;
  container?: string;
  container_config?: RunConfig;
  history?: HistoryEntry[];
  /** `diff_ids`: each layer's uncompressed sha256, lowest first. */
  rootfs?: { type: string; diff_ids?: string[] };
}

// Loose objects: fields other tools add (BuildKit's buildinfo, Podman's) are carried over, not dropped.
const strings = z.array(z.string()).nullish();
const runConfig = z.looseObject({
  Hostname: z.string().optional(),
  Domainname: z.string().optional(),
  User: z.string().optional(),
  AttachStdin: z.boolean().optional(),
  AttachStdout: z.boolean().optional(),
  AttachStderr: z.boolean().optional(),
  ExposedPorts: z.record(z.string(), z.object({}).loose()).nullish(),
  Tty: z.boolean().optional(),
  OpenStdin: z.boolean().optional(),
  StdinOnce: z.boolean().optional(),
  Env: strings,
  Cmd: strings,
  Healthcheck: z
    .looseObject({
      Test: strings,
      Interval: z.number().optional(),
      Timeout: z.number().optional(),
      StartPeriod: z.number().optional(),
      StartInterval: z.number().optional(),
      Retries: z.number().optional(),
    })
    .nullish(),
  ArgsEscaped: z.boolean().optional(),
  Image: z.string().optional(),
  Volumes: z.record(z.string(), z.object({}).loose()).nullish(),
  WorkingDir: z.string().optional(),
  Entrypoint: strings,
  NetworkDisabled: z.boolean().optional(),
  MacAddress: z.string().optional(),
  OnBuild: strings,
  Labels: z.record(z.string(), z.string()).nullish(),
  StopSignal: z.string().optional(),
  StopTimeout: z.number().optional(),
  Shell: strings,
});
const imageConfig = z.looseObject({
  architecture: z.string().optional(),
  variant: z.string().optional(),
  os: z.string().optional(),
  'os.version': z.string().optional(),
  created: z.string().optional(),
  author: z.string().optional(),
  docker_version: z.string().optional(),
  config: runConfig.nullish().transform((c) => c ?? undefined),
  container: z.string().optional(),
  container_config: runConfig.nullish().transform((c) => c ?? undefined),
  history: z
    .array(
      z.looseObject({
        created: z.string().optional(),
        created_by: z.string().optional(),
        author: z.string().optional(),
        comment: z.string().optional(),
        empty_layer: z.boolean().optional(),
      }),
    )
    .optional(),
  rootfs: z.looseObject({ type: z.string(), diff_ids: z.array(z.string()).optional() }).optional(),
});

/** A run configuration as the engine reports it (`Config` of image inspect); undefined for none. */
export function parseRunConfig(value: unknown, what: string): RunConfig {
  const parsed = runConfig.nullish().safeParse(value);
  if (!parsed.success)
    throw new DappdepsError(`${what} is not a container configuration:\n${z.prettifyError(parsed.error)}`);
  return parsed.data ?? {};
}

/** The image configuration in `bytes`; a DappdepsError naming `what` when it is not JSON or not a config. */
export function parseImageConfig(bytes: Buffer, what: string): ImageConfig {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new DappdepsError(`${what} is not valid JSON`, { cause: err });
  }
  const parsed = imageConfig.safeParse(json);
  if (!parsed.success) throw new DappdepsError(`${what} is not an image config:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/**
 * The bytes of `config`. With `like` (the bytes it was read from), fields keep their order there, so a config
 * changed in one field differs from its original in that field only; new fields come last.
 */
export function encodeImageConfig(config: ImageConfig, like?: Buffer): Buffer {
  const json: unknown = JSON.parse(JSON.stringify(config));
  const ordered = like === undefined ? json : orderLike(json, JSON.parse(like.toString('utf8')));
  return Buffer.from(JSON.stringify(ordered));
}

/** `sha256:<hex>` of a config's bytes: the image's id. */
export function imageIdOf(configBytes: Buffer): string {
  return `sha256:${createHash('sha256').update(configBytes).digest('hex')}`;
}

function orderLike(value: unknown, like: unknown): unknown {
  if (!isPlainObject(value) || !isPlainObject(like)) return value;
  const out = new Map<string, unknown>();
  for (const key of Object.keys(like)) if (key in value) out.set(key, orderLike(value[key], like[key]));
  for (const [key, v] of Object.entries(value)) if (!out.has(key)) out.set(key, v);
  return Object.fromEntries(out);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
