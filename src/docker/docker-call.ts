import type { Debugger } from 'debug';
import { translateFailure } from './engine-failure.js';

/** Runs one Docker call: logged "doing / done / failed", failures translated (see translateFailure). */
export type DockerCall = <T>(what: string, call: () => Promise<T>) => Promise<T>;

export function dockerCall(log: Debugger, address: string): DockerCall {
  return async (what, call) => {
    log('doing %s', what);
    try {
      const result = await call();
      log('done %s', what);
      return result;
    } catch (error) {
      const failure = translateFailure(error, what, address);
      log('failed %s: %s', what, failure.message);
      throw failure;
    }
  };
}
