import { expectBytes, wipe } from './bytes.ts';
import { taggedHash } from './crypto/hash.ts';
import {
  SCHNORR_SIGNATURE_BYTES,
  SECRET_KEY_BYTES,
  expectXOnlyPublicKey,
  generateSecretKey,
  schnorrPublicKey,
  schnorrSign,
  schnorrVerify,
} from './crypto/schnorr.ts';
import { NamesError } from './errors.ts';

/**
 * Identity keys: a wallet's or an agent's long-lived secp256k1 key pair (BIP340, x-only public
 * key). Every signature an identity key makes is over a tagged hash whose tag names the purpose,
 * so a signature made for one purpose can never be replayed as another (BIP340 "Design":
 * tagged hashes separate domains). One-time payment keys and MuSig2 transaction signatures do
 * not go through here: the chain signs its own transaction hashes.
 */
export type IdentityKeyPair = { readonly secretKey: Uint8Array; readonly publicKey: Uint8Array };

/**
 * The closed set of things an identity key signs. Add a purpose here (never reuse one) when a
 * new signed statement appears; the tag is `parley/v1/<purpose>`.
 *
 * - `session-binding`: a wallet or agent binds the Noise static key of a session to its identity.
 * - `login`: a wallet answers its agent's login challenge.
 * - `directory-entry`: an agent vouches that `wallet@agent` maps to a wallet key.
 * - `nickname-claim`: a wallet announces its self-chosen nickname (still only a claim).
 * - `contract`: a wallet signs the hash of an agreed, canonical contract document.
 * - `payment-key-handover`: a payee signs the fresh one-time key it hands to the payer.
 * - `receipt`: a wallet signs a receipt statement for export.
 * - `peer-vote`: a peer signs a consensus vote (prevote, precommit).
 * - `snapshot`: a peer signs (height, block hash, state root) for snapshot bootstrap.
 */
export const IDENTITY_PURPOSES = [
  'session-binding',
  'login',
  'directory-entry',
  'nickname-claim',
  'contract',
  'payment-key-handover',
  'receipt',
  'peer-vote',
  'snapshot',
] as const;
export type IdentityPurpose = (typeof IDENTITY_PURPOSES)[number];

const PURPOSES: ReadonlySet<string> = new Set(IDENTITY_PURPOSES);

/** The BIP340 tag for a purpose; versioned so a changed message layout gets a new domain. */
export function identityTag(purpose: IdentityPurpose): string {
  expectPurpose(purpose);
  return `parley/v1/${purpose}`;
}

export function generateIdentityKeyPair(): IdentityKeyPair {
  const secretKey = generateSecretKey();
  return { secretKey, publicKey: schnorrPublicKey(secretKey) };
}

/** The key pair of a secret key. Copies it, so the caller may wipe its own copy. */
export function identityKeyPairFromSecretKey(secretKey: Uint8Array): IdentityKeyPair {
  expectBytes(secretKey, SECRET_KEY_BYTES, 'identity secret key');
  const copy = new Uint8Array(secretKey);
  return { secretKey: copy, publicKey: schnorrPublicKey(copy) };
}

/** Zeroes the secret half of a key pair once it is no longer needed. */
export function wipeIdentityKeyPair(keyPair: IdentityKeyPair): void {
  wipe(keyPair.secretKey);
}

/** The 32-byte digest an identity signature covers: taggedHash(`parley/v1/<purpose>`, message). */
export function identityDigest(purpose: IdentityPurpose, message: Uint8Array): Uint8Array {
  if (!(message instanceof Uint8Array)) throw new NamesError('BAD_TYPE', `${purpose} message: expected bytes`);
  return taggedHash(identityTag(purpose), message);
}

/** A BIP340 signature over the purpose's tagged hash of `message`. */
export function signIdentityMessage(
  purpose: IdentityPurpose,
  message: Uint8Array,
  secretKey: Uint8Array,
  auxRand?: Uint8Array,
): Uint8Array {
  return schnorrSign(identityDigest(purpose, message), secretKey, auxRand);
}

/** True when `signature` is `publicKey`'s signature of `message` for this purpose; false for any bad input. */
export function verifyIdentitySignature(
  purpose: IdentityPurpose,
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  if (!PURPOSES.has(purpose) || !(message instanceof Uint8Array)) return false;
  return schnorrVerify(signature, identityDigest(purpose, message), publicKey);
}

/** Throws BAD_SIGNATURE (naming the purpose and the field) unless the signature verifies. */
export function expectIdentitySignature(
  purpose: IdentityPurpose,
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
  field: string,
): void {
  expectXOnlyPublicKey(publicKey, `${field} public key`);
  expectBytes(signature, SCHNORR_SIGNATURE_BYTES, `${field} signature`);
  if (!verifyIdentitySignature(purpose, signature, message, publicKey)) {
    throw new NamesError('BAD_SIGNATURE', `${field}: not a ${purpose} signature of this message by this key`);
  }
}

function expectPurpose(purpose: string): void {
  if (!PURPOSES.has(purpose)) {
    throw new NamesError('BAD_PARAMETER', `identity purpose: expected one of ${IDENTITY_PURPOSES.join(', ')}, got ${JSON.stringify(purpose)}`);
  }
}
