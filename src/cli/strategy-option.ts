import { Option } from 'commander';
import { strategies } from '../manifest/model.js';

/** What `--strategy` means in commands that use built images (provision, run, volumes, mounts). */
const MOUNTED = 'which build of the images to mount: binary (from Debian packages) or source (LFS + Omnibus)';

/** `--strategy`, described for the command it is in: `build` makes images with it, other commands choose one. */
export const strategyOption = (description = MOUNTED) =>
  new Option('--strategy <strategy>', description).choices(strategies).default('binary');

export const BUILD_STRATEGY =
  'how to build: binary (from Debian packages, minutes) or source (LFS + Omnibus from upstream sources, hours, needs the internet)';

/** For commands that read one build of an image (extract, export, save, push, pull, sbom, verify). */
export const whichBuild = (verb: string) =>
  `which build of the images to ${verb}: binary (from Debian packages) or source (LFS + Omnibus)`;
