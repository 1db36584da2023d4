import { scrypt as nodeScrypt } from 'node:crypto';
import { NamesError } from '../errors.ts';

export type ScryptParameters = { costLog2: number; blockSize: number; parallelism: number; keyBytes: number };

/** Wallet vault default: N = 2^17, r = 8, p = 1 (128 MiB, ~0.3 s here; docs/DECISIONS.md). */
export const SCRYPT_DEFAULTS: ScryptParameters = { costLog2: 17, blockSize: 8, parallelism: 1, keyBytes: 32 };

/**
 * scrypt's working memory is 128·N·r bytes (RFC 7914 §5, scryptROMix's V). Each range below is
 * sane alone, but N = 2^22 with r = 32 would ask for 16 GiB: the product needs its own bound.
 * 1 GiB is 8× the default.
 */
export const SCRYPT_MEMORY_BYTES_MAX = 1024 * 1024 * 1024;

/**
 * scrypt (RFC 7914) on node:crypto, off the main thread (libuv pool). Parameters are bounded
 * so a hostile vault file cannot demand unbounded memory or time. `async`, so a bad parameter
 * is a rejected promise like every other failure, never a synchronous throw.
 */
export async function scrypt(password: Uint8Array, salt: Uint8Array, parameters: ScryptParameters = SCRYPT_DEFAULTS): Promise<Uint8Array> {
  const { costLog2, blockSize, parallelism, keyBytes } = parameters;
  checkRange('scrypt costLog2', costLog2, 1, 22);
  checkRange('scrypt blockSize', blockSize, 1, 32);
  checkRange('scrypt parallelism', parallelism, 1, 16);
  checkRange('scrypt keyBytes', keyBytes, 16, 64);
  const cost = 2 ** costLog2;
  if (128 * cost * blockSize > SCRYPT_MEMORY_BYTES_MAX) {
    throw new NamesError('BAD_PARAMETER', `scrypt: 128·N·r = ${128 * cost * blockSize} bytes exceeds ${SCRYPT_MEMORY_BYTES_MAX}`);
  }
  const memoryBytes = 128 * cost * blockSize * (parallelism + 1) + 1024 * 1024;
  return new Promise((resolve, reject) => {
    nodeScrypt(password, salt, keyBytes, { N: cost, r: blockSize, p: parallelism, maxmem: memoryBytes }, (error, key) => {
      if (error) reject(new NamesError('BAD_PARAMETER', `scrypt: ${error.message}`, { cause: error }));
      else resolve(new Uint8Array(key));
    });
  });
}

function checkRange(field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new NamesError('BAD_PARAMETER', `${field}: expected an integer in ${min}..${max}, got ${value}`);
  }
}
