import { Option } from 'commander';
import { strategies } from '../manifest/model.js';

export const strategyOption = () =>
  new Option('--strategy <strategy>', 'binary (Debian packages, minutes) or source (LFS + Omnibus, needs the internet)')
    .choices(strategies)
    .default('binary');
