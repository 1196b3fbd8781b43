import { DappdepsError } from '../errors.js';

/** The archive does not match what names it (a digest, a descriptor, the other manifest): never to be used. */
export function refused(message: string): DappdepsError {
  return new DappdepsError(message, {
    hint: 'the archive was altered or damaged: save the image again (docker save) and do not use this one',
  });
}
