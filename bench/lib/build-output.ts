/**
 * Ids of the images a classic-builder build created, read from its output (`Step n/m : …`, ` ---> <id>`).
 * Steps answered from the cache (` ---> Using cache`) and `FROM` steps name images that existed before,
 * possibly someone else's: they are not ours to remove. Ids are in creation order (parents first).
 */
export function createdImageIds(output: string): string[] {
  const ids: string[] = [];
  let step: { from: boolean; cached: boolean; id?: string } | undefined;
  const close = (): void => {
    if (step && !step.from && !step.cached && step.id) ids.push(step.id);
  };
  for (const line of output.split('\n')) {
    const start = /^Step \d+\/\d+ : (\S+)/.exec(line);
    if (start) {
      close();
      step = { from: start[1]?.toUpperCase() === 'FROM', cached: false };
      continue;
    }
    if (!step) continue;
    if (/^ ---> Using cache\s*$/.test(line)) step.cached = true;
    const id = /^ ---> ([0-9a-f]{12,64})\s*$/.exec(line)?.[1];
    if (id) step.id = id;
  }
  close();
  return ids;
}
