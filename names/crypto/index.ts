/** Crypto core shared by every folder: thin wrappers with exact boundary checks. */
export * from './aead.ts';
export * from './hash.ts';
export * from './musig2.ts';
export * from './random.ts';
export * from './schnorr.ts';
export * from './scrypt.ts';
export * from './x25519.ts';
