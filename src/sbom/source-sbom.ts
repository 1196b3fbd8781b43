import parseSpdx from 'spdx-expression-parse';
import type { Distro, ImageModel } from '../manifest/model.js';

interface PinnedSource {
  name: string;
  version: string;
  url: string;
  md5?: string | undefined;
  sha256?: string | undefined;
  license?: string | undefined;
}

/** The sources a source-strategy manifest pins (URL and checksum), in manifest order. */
export function pinnedSources(image: ImageModel): PinnedSource[] {
  const source = image.manifest.source;
  if (!source) return [];
  switch (source.kind) {
    case 'lfs':
      return source.sources;
    case 'omnibus':
      return source.software;
    case 'upstream-omnibus':
      return [source.archive];
  }
}

/** A manifest's license as an SPDX expression when it is one, else NOASSERTION. */
function declared(license: string | undefined): string {
  if (!license) return 'NOASSERTION';
  try {
    parseSpdx(license);
    return license;
  } catch {
    return 'NOASSERTION';
  }
}

const spdxId = (s: string) => s.replace(/\+/g, 'plus').replace(/[^A-Za-z0-9.-]/g, '-');

/**
 * The SPDX 2.3 document of a source-strategy image, from its manifest alone (no build needed): the image and
 * every pinned source with its download URL, checksum and declared license. Deterministic: the same manifest
 * gives the same document.
 */
export function sourceSbom(distro: Distro, image: ImageModel): Record<string, unknown> {
  const sources = pinnedSources(image);
  const packages = sources.map((s) => ({
    SPDXID: `SPDXRef-Package-source-${spdxId(s.name)}`,
    name: s.name,
    versionInfo: s.version,
    downloadLocation: s.url,
    filesAnalyzed: false,
    ...(s.sha256 || s.md5
      ? {
          checksums: [
            ...(s.sha256 ? [{ algorithm: 'SHA256', checksumValue: s.sha256 }] : []),
            ...(s.md5 ? [{ algorithm: 'MD5', checksumValue: s.md5 }] : []),
          ],
        }
      : {}),
    licenseConcluded: 'NOASSERTION',
    licenseDeclared: declared(s.license),
    copyrightText: 'NOASSERTION',
    externalRefs: [
      {
        referenceCategory: 'PACKAGE-MANAGER',
        referenceType: 'purl',
        referenceLocator: `pkg:generic/${encodeURIComponent(s.name)}@${encodeURIComponent(s.version)}?download_url=${encodeURIComponent(s.url)}`,
      },
    ],
  }));
  // Omnibus software the manifest names but does not pin (omnibus-software's own definitions pin it).
  const source = image.manifest.source;
  const unpinned =
    source?.kind === 'omnibus' ? source.topSoftware.filter((name) => !sources.some((s) => s.name === name)) : [];
  const named = unpinned.map((name) => ({
    SPDXID: `SPDXRef-Package-source-${spdxId(name)}`,
    name,
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    licenseConcluded: 'NOASSERTION',
    licenseDeclared: 'NOASSERTION',
    copyrightText: 'NOASSERTION',
    comment: "from omnibus-software: pinned by that project's definition, not by this manifest",
  }));
  const tag = distro.index.tag(image, 'source');
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: `dappdeps-${image.name}-${image.version}-source`,
    documentNamespace: `${distro.settings.labels.source}/spdx/${image.name}/${image.version}-source`,
    creationInfo: {
      created: '1970-01-01T00:00:00Z',
      creators: ['Tool: dappdeps'],
      comment: 'from the manifest: the sources it pins, before any build',
    },
    documentDescribes: ['SPDXRef-Package-image'],
    packages: [
      {
        SPDXID: 'SPDXRef-Package-image',
        name: tag,
        versionInfo: image.version,
        downloadLocation: 'NOASSERTION',
        filesAnalyzed: false,
        primaryPackagePurpose: 'CONTAINER',
        licenseConcluded: 'NOASSERTION',
        licenseDeclared: 'NOASSERTION',
        copyrightText: 'NOASSERTION',
        comment: `the prefix ${image.prefix}, built from source`,
      },
      ...packages,
      ...named,
    ],
    relationships: [
      { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: 'SPDXRef-Package-image' },
      ...[...packages, ...named].map((p) => ({
        spdxElementId: 'SPDXRef-Package-image',
        relationshipType: 'GENERATED_FROM',
        relatedSpdxElement: p.SPDXID,
      })),
    ],
  };
}
