import type Docker from 'dockerode';
import type { ImageMount } from './types.js';

/** `--mount type=image,source=…,target=…,image-subpath=…` (image mounts are read-only anyway). */
export function imageMount(m: ImageMount): Docker.MountSettings {
  const mount: Docker.MountSettings & { ImageOptions: { Subpath: string } } = {
    Type: 'image',
    Source: m.image,
    Target: m.target,
    ReadOnly: true,
    ImageOptions: { Subpath: m.subpath },
  };
  return mount;
}
