/** A rendered build context: relative path -> content. */
export type RenderedFiles = Map<string, string | Buffer>;

/** The Dockerfile templates to try for an image, most specific first: `<dir>/<image>.Dockerfile.hbs`, then `<dir>/Dockerfile.hbs`. */
export function dockerfileCandidates(dir: string, imageName: string): string[] {
  return [`${dir}/${imageName}.Dockerfile.hbs`, `${dir}/Dockerfile.hbs`];
}
