/** Public API of names/: identity keys, encodings, login and Zooko names, and the crypto core. */
export * from './bytes.ts';
export * from './crypto/index.ts';
export * from './errors.ts';
export * from './world.ts';
