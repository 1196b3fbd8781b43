import { InvalidArgumentError, Option } from 'commander';

/** `--ansible 2.19|2.14`: which suite's Ansible a provision runs (a minor, a full version or a suite name). */
export const ansibleOption = () =>
  new Option(
    '--ansible <version>',
    "the Ansible to run: 2.19 (Debian trixie's) or 2.14 (bookworm's), or a full version; default: the one whose apt bindings match the image's Debian release, the newest where it has no apt",
  ).argParser((value: string) => {
    if (!/^(?:\d+\.\d+(?:\.\d+)?|[a-z][a-z0-9]{1,19})$/.test(value))
      throw new InvalidArgumentError('must be a version such as 2.19 or 2.19.11, or a suite such as trixie');
    return value;
  });
