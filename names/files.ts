import { closeSync, openSync, writeSync } from 'node:fs';

/**
 * Creates the file with `mode` from the start (O_EXCL: never overwrites, never briefly
 * world-readable). The agent's and the wallet's key files are written this way.
 */
export function writeNewFile(path: string, text: string, mode: number): void {
  const fd = openSync(path, 'wx', mode);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}
