/** A rendered build context: relative path -> content. */
export type RenderedFiles = Map<string, string | Buffer>;

/** Scripts (content starting with `#!`) are executable, in images/ and in build contexts alike. */
export function fileMode(content: string | Buffer): number {
  return Buffer.from(content.slice(0, 2)).toString() === '#!' ? 0o755 : 0o644;
}

/** The Dockerfile templates to try for an image, most specific first: `<dir>/<image>.Dockerfile.hbs`, then `<dir>/Dockerfile.hbs`. */
export function dockerfileCandidates(dir: string, imageName: string): string[] {
  return [`${dir}/${imageName}.Dockerfile.hbs`, `${dir}/Dockerfile.hbs`];
}
