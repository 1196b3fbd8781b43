import createDebug from 'debug';

/**
 * A named logger for one area of the Docker client (`dappdeps:docker:<area>`). Silent unless enabled the
 * usual `debug` way, e.g. `DEBUG=dappdeps:docker:*` (add `modem` for dockerode's raw HTTP traffic).
 */
export function dockerLog(area: string): createDebug.Debugger {
  return createDebug(`dappdeps:docker:${area}`);
}
