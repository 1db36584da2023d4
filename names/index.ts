/** Public API of names/: identity keys, encodings, login and Zooko names, and the crypto core. */
export * from './bytes.ts';
export * from './crypto/index.ts';
export * from './errors.ts';
export * from './world.ts';
export * from './confusables.ts';
export * from './constants.ts';
export * from './encoding.ts';
export * from './keys.ts';
export * from './label.ts';
export * from './login.ts';
export * from './petnames.ts';
export * from './zooko.ts';
