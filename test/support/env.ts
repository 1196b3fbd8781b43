/** Variables to set; undefined unsets one. */
export type EnvChange = Record<string, string | undefined>;

function put(values: EnvChange): void {
  for (const [k, v] of Object.entries(values)) {
    // Assigning undefined would leave the string "undefined": later test files would try to reach that engine.
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

/** Sets `vars` in this process's environment; the returned function puts back what was there (or nothing). */
export function setEnv(vars: EnvChange): () => void {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  put(vars);
  return () => put(saved);
}

/** Runs `work` with `vars` set, and puts the environment back after, also when it fails. */
export async function withEnv<T>(vars: EnvChange, work: () => Promise<T>): Promise<T> {
  const restore = setEnv(vars);
  try {
    return await work();
  } finally {
    restore();
  }
}
