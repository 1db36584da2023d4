import { secp256k1 } from '@noble/curves/secp256k1.js';
import * as library from '@scure/btc-signer/musig2.js';
import { equalBytes, expectBytes, wipe } from '../bytes.ts';
import { NamesError } from '../errors.ts';
import { randomBytes } from './random.ts';

/**
 * MuSig2 (BIP327) over the @scure/btc-signer primitives. This file adds what the library leaves
 * to its caller: exact boundary checks, typed errors that blame a signer, and a secret nonce
 * that can be used once, ever. Signer indices are positions in `keyAggregate.publicKeys`.
 */

/** BIP327 individual keys are plain (33-byte compressed) keys; only the aggregate is x-only. */
export const MUSIG_PUBLIC_KEY_BYTES = 33;
/** BIP327 pubnonce and aggnonce: two 33-byte points. */
export const MUSIG_NONCE_BYTES = 66;
/** BIP327 secnonce: k1 ‖ k2 ‖ the signer's plain public key. */
export const MUSIG_SECRET_NONCE_BYTES = 97;
export const MUSIG_PARTIAL_SIGNATURE_BYTES = 32;
export const MUSIG_TWEAK_BYTES = 32;

const CURVE_ORDER = secp256k1.Point.Fn.ORDER;
const SCALAR_BYTES = 32;

export type MusigContribution = 'publicKey' | 'publicNonce' | 'aggregateNonce' | 'aggregateOtherNonce' | 'partialSignature';

const CONTRIBUTION_PROBLEMS: Record<MusigContribution, string> = {
  publicKey: 'public key is not a compressed secp256k1 point',
  publicNonce: 'public nonce is not two compressed secp256k1 points',
  aggregateNonce: 'aggregate nonce is not two compressed secp256k1 points (or infinity)',
  aggregateOtherNonce: 'aggregate nonce of the other signers is not two compressed secp256k1 points',
  partialSignature: 'partial signature is not below the curve order n',
};

/** How the library names a contribution in its InvalidContributionErr. */
const LIBRARY_CONTRIBUTIONS: Record<string, MusigContribution> = {
  pubkey: 'publicKey',
  pubnonce: 'publicNonce',
  psig: 'partialSignature',
};

/**
 * BIP327 "Identifiable Aborts": a bad contribution names the signer who sent it, so a session can
 * exclude that signer and start over. `signerIndex` is null when no single signer can be blamed
 * (an aggregate nonce is summed by a coordinator or by the other signers).
 */
export class MusigContributionError extends NamesError {
  readonly signerIndex: number | null;
  readonly contribution: MusigContribution;

  constructor(signerIndex: number | null, contribution: MusigContribution, options?: { cause?: unknown }) {
    const who = signerIndex === null ? 'no single signer to blame' : `signer ${signerIndex}`;
    super('MUSIG_INVALID_CONTRIBUTION', `musig2 (${who}): ${CONTRIBUTION_PROBLEMS[contribution]}`, options);
    this.signerIndex = signerIndex;
    this.contribution = contribution;
  }
}

export type MusigTweak = { readonly tweak: Uint8Array; readonly xOnly: boolean };

export type MusigKeyAggregate = {
  /** The signers' plain public keys in signing order; a signer's index is its position here. */
  readonly publicKeys: readonly Uint8Array[];
  readonly tweaks: readonly MusigTweak[];
  /** BIP327 GetXonlyPubkey: the 32-byte key that BIP340 verification takes. */
  readonly aggregatePublicKey: Uint8Array;
};

/** BIP327 IndividualPubkey: the 33-byte plain public key of a secret key. */
export function musigIndividualPublicKey(secretKey: Uint8Array): Uint8Array {
  expectSecretKey(secretKey, 'musig2 secret key');
  return library.IndividualPubkey(secretKey);
}

/** BIP327 KeySort: a lexicographically sorted copy; keys are not checked to be points here. */
export function musigSortPublicKeys(publicKeys: readonly Uint8Array[]): Uint8Array[] {
  return library.sortKeys(expectByteList(publicKeys, MUSIG_PUBLIC_KEY_BYTES, 'musig2 public keys'));
}

/** Key aggregates this module made, so a session never trusts a hand-built aggregate key. */
const madeKeyAggregates = new WeakSet<MusigKeyAggregate>();

/** BIP327 KeyAgg, then ApplyTweak for each tweak in order (plain, or x-only as for BIP341). */
export function musigAggregatePublicKeys(publicKeys: readonly Uint8Array[], tweaks: readonly MusigTweak[] = []): MusigKeyAggregate {
  const keys = expectByteList(publicKeys, MUSIG_PUBLIC_KEY_BYTES, 'musig2 public keys').map(copyBytes);
  const checkedTweaks = expectTweaks(tweaks);
  const context = callLibrary(() => library.keyAggregate(keys, tweakBytes(checkedTweaks), tweakModes(checkedTweaks)));
  const keyAggregate = Object.freeze({
    publicKeys: Object.freeze(keys),
    tweaks: Object.freeze(checkedTweaks),
    aggregatePublicKey: library.keyAggExport(context),
  });
  madeKeyAggregates.add(keyAggregate);
  return keyAggregate;
}

/**
 * A secret nonce that signs once, ever (BIP327 "NonceGen": reusing k1, k2 in two sessions
 * reveals the secret key). The bytes live in a module-private map, so the object cannot be
 * serialized or copied; musigPartialSign takes them out before it signs and wipes them after.
 */
export class MusigSecretNonce {
  private constructor() {}

  /**
   * Takes ownership of a BIP327 secnonce: the bytes are copied in and the given array is wiped,
   * so no second copy is left to sign with. Only test vectors need this; a live nonce is never stored.
   */
  static fromBytes(bytes: Uint8Array): MusigSecretNonce {
    expectBytes(bytes, MUSIG_SECRET_NONCE_BYTES, 'musig2 secret nonce');
    const owned = copyBytes(bytes);
    wipe(bytes);
    try {
      expectSecretNonceScalars(owned);
    } catch (error) {
      wipe(owned);
      throw error;
    }
    const nonce = new MusigSecretNonce();
    liveSecretNonces.set(nonce, owned);
    return nonce;
  }

  /** True once a signing attempt has consumed this nonce. */
  get used(): boolean {
    return !liveSecretNonces.has(this);
  }
}

const liveSecretNonces = new WeakMap<MusigSecretNonce, Uint8Array>();

export type MusigNonceInputs = {
  /** The signer's plain public key (33 bytes). */
  publicKey: Uint8Array;
  /** BIP327 recommends it: the nonce stays secret even if `random` is weak. */
  secretKey?: Uint8Array;
  aggregatePublicKey?: Uint8Array;
  message?: Uint8Array;
  extraInput?: Uint8Array;
  /** Test vectors only: BIP327 NonceGen needs fresh randomness (rand') on every call. */
  random?: Uint8Array;
};

export type MusigNonces = { publicNonce: Uint8Array; secretNonce: MusigSecretNonce };

/** BIP327 NonceGen. Send `publicNonce` to the others; keep `secretNonce` in memory only. */
export function musigGenerateNonce(inputs: MusigNonceInputs): MusigNonces {
  const publicKey = expectPlainPublicKey(inputs.publicKey, 'musig2 public key');
  if (inputs.secretKey !== undefined) expectSecretKey(inputs.secretKey, 'musig2 secret key');
  if (inputs.aggregatePublicKey !== undefined) expectBytes(inputs.aggregatePublicKey, 32, 'musig2 aggregate public key');
  if (inputs.message !== undefined) expectAnyBytes(inputs.message, 'musig2 message');
  const extraInput = inputs.extraInput === undefined ? new Uint8Array(0) : expectAnyBytes(inputs.extraInput, 'musig2 extra input');
  const random = inputs.random === undefined ? randomBytes(32) : expectBytes(inputs.random, 32, 'musig2 nonce random');
  const aggregatePublicKey = inputs.aggregatePublicKey ?? new Uint8Array(0);
  const nonces = library.nonceGen(publicKey, inputs.secretKey, aggregatePublicKey, inputs.message, extraInput, random);
  if (inputs.random === undefined) wipe(random);
  return { publicNonce: nonces.public, secretNonce: MusigSecretNonce.fromBytes(nonces.secret) };
}

/** BIP327 NonceAgg: sums the signers' public nonces; blames the first signer whose nonce is bad. */
export function musigAggregateNonces(publicNonces: readonly Uint8Array[]): Uint8Array {
  const nonces = expectByteList(publicNonces, MUSIG_NONCE_BYTES, 'musig2 public nonces');
  return callLibrary(() => library.nonceAggregate(nonces));
}

/** BIP327 "Session Context": everything one signing round fixes. Made only by musigStartSession. */
export type MusigSession = {
  readonly keyAggregate: MusigKeyAggregate;
  readonly aggregateNonce: Uint8Array;
  readonly message: Uint8Array;
};

const sessionContexts = new WeakMap<MusigSession, library.Session>();

export function musigStartSession(keyAggregate: MusigKeyAggregate, aggregateNonce: Uint8Array, message: Uint8Array): MusigSession {
  expectBytes(aggregateNonce, MUSIG_NONCE_BYTES, 'musig2 aggregate nonce');
  // BIP327 GetSessionValues: cpoint_ext accepts bytes(33, 0) as infinity in an aggregate nonce.
  if (!isPointOrInfinity(aggregateNonce.subarray(0, 33)) || !isPointOrInfinity(aggregateNonce.subarray(33))) {
    throw new MusigContributionError(null, 'aggregateNonce');
  }
  expectAnyBytes(message, 'musig2 message');
  const { publicKeys, tweaks } = expectKeyAggregate(keyAggregate);
  const context = callLibrary(() => new library.Session(aggregateNonce, [...publicKeys], message, tweakBytes(tweaks), tweakModes(tweaks)));
  const session = Object.freeze({ keyAggregate, aggregateNonce: copyBytes(aggregateNonce), message: copyBytes(message) });
  sessionContexts.set(session, context);
  return session;
}

/**
 * BIP327 Sign. Consumes `secretNonce` on every attempt, even one that fails, so a nonce can
 * never sign twice. The library checks its own result (PartialSigVerifyInternal) before
 * returning, so a fault during signing cannot leak the key.
 */
export function musigPartialSign(session: MusigSession, secretNonce: MusigSecretNonce, secretKey: Uint8Array): Uint8Array {
  const context = expectSession(session);
  const nonceBytes = consumeSecretNonce(secretNonce);
  try {
    expectSecretKey(secretKey, 'musig2 secret key');
    const publicKey = library.IndividualPubkey(secretKey);
    // BIP327 Sign: "Fail if pk ≠ cbytes(d'⋅G)" — the nonce was made for another key.
    if (!equalBytes(publicKey, nonceBytes.subarray(2 * SCALAR_BYTES))) {
      throw new NamesError('MUSIG_NONCE_KEY_MISMATCH', 'musig2 secret key: the secret nonce was generated for a different public key');
    }
    expectSigner(session.keyAggregate, publicKey);
    return callLibrary(() => context.sign(nonceBytes, secretKey));
  } finally {
    wipe(nonceBytes);
  }
}

/** BIP327 PartialSigVerify: false for a wrong signature; a bad nonce or index throws. */
export function musigPartialVerify(session: MusigSession, partialSignature: Uint8Array, publicNonces: readonly Uint8Array[], signerIndex: number): boolean {
  const context = expectSession(session);
  expectBytes(partialSignature, MUSIG_PARTIAL_SIGNATURE_BYTES, 'musig2 partial signature');
  const nonces = expectOnePerSigner(session, publicNonces, MUSIG_NONCE_BYTES, 'musig2 public nonces');
  const signerCount = session.keyAggregate.publicKeys.length;
  if (!Number.isInteger(signerIndex) || signerIndex < 0 || signerIndex >= signerCount) {
    throw new NamesError('BAD_PARAMETER', `musig2 signer index: expected an integer in 0..${signerCount - 1}, got ${signerIndex}`);
  }
  return callLibrary(() => context.partialSigVerify(partialSignature, nonces, signerIndex));
}

/** BIP327 PartialSigAgg: the final 64-byte BIP340 signature under the aggregate key. */
export function musigAggregatePartialSignatures(session: MusigSession, partialSignatures: readonly Uint8Array[]): Uint8Array {
  const context = expectSession(session);
  const signatures = expectOnePerSigner(session, partialSignatures, MUSIG_PARTIAL_SIGNATURE_BYTES, 'musig2 partial signatures');
  return callLibrary(() => context.partialSigAgg(signatures));
}

export type MusigDeterministicSignInputs = {
  secretKey: Uint8Array;
  /** NonceAgg of every other signer's public nonce. */
  aggregateOtherNonce: Uint8Array;
  keyAggregate: MusigKeyAggregate;
  message: Uint8Array;
  /** Optional extra randomness (BIP327 rand); the result is deterministic without it. */
  random?: Uint8Array;
};

/**
 * BIP327 DeterministicSign: nonce and partial signature in one step, with no secret nonce to keep.
 * Safe only for the signer who sends its nonce last, after it has seen every other nonce
 * (BIP327 "Signing with Deterministic Nonces").
 */
export function musigDeterministicSign(inputs: MusigDeterministicSignInputs): { publicNonce: Uint8Array; partialSignature: Uint8Array } {
  const { secretKey, aggregateOtherNonce, keyAggregate, message, random } = inputs;
  expectSecretKey(secretKey, 'musig2 secret key');
  expectBytes(aggregateOtherNonce, MUSIG_NONCE_BYTES, 'musig2 aggregate other nonce');
  expectAnyBytes(message, 'musig2 message');
  if (random !== undefined) expectBytes(random, 32, 'musig2 deterministic random');
  // BIP327 DeterministicSign: a failing NonceAgg((pubnonce, aggothernonce)) blames no single signer.
  try {
    library.nonceAggregate([aggregateOtherNonce]);
  } catch (error) {
    throw new MusigContributionError(null, 'aggregateOtherNonce', { cause: error });
  }
  const { publicKeys, tweaks } = expectKeyAggregate(keyAggregate);
  expectSigner(keyAggregate, library.IndividualPubkey(secretKey));
  const result = callLibrary(() =>
    library.deterministicSign(secretKey, aggregateOtherNonce, [...publicKeys], message, tweakBytes(tweaks), tweakModes(tweaks), random),
  );
  return { publicNonce: result.publicNonce, partialSignature: result.partialSig };
}

function consumeSecretNonce(secretNonce: MusigSecretNonce): Uint8Array {
  if (!(secretNonce instanceof MusigSecretNonce)) throw new NamesError('BAD_TYPE', 'musig2 secret nonce: expected a MusigSecretNonce');
  const bytes = liveSecretNonces.get(secretNonce);
  if (bytes === undefined) {
    throw new NamesError('MUSIG_NONCE_REUSED', 'musig2 secret nonce: already used; signing twice with one nonce reveals the secret key');
  }
  liveSecretNonces.delete(secretNonce);
  return bytes;
}

/** BIP327 Sign: "Fail if k1' ∉ [1, n-1]" (and k2'); all-zero is what Sign leaves after use. */
function expectSecretNonceScalars(bytes: Uint8Array): void {
  if (bytes.subarray(0, 2 * SCALAR_BYTES).every((byte) => byte === 0)) {
    throw new NamesError('MUSIG_NONCE_REUSED', 'musig2 secret nonce: first secret nonce value is zero, as BIP327 Sign leaves a used nonce');
  }
  for (const [index, name] of ['first', 'second'].entries()) {
    const scalar = bytesToNumber(bytes.subarray(index * SCALAR_BYTES, (index + 1) * SCALAR_BYTES));
    if (scalar === 0n || scalar >= CURVE_ORDER) {
      throw new NamesError('MUSIG_BAD_SECRET_NONCE', `musig2 secret nonce: ${name} secret nonce value is out of range 1..n-1`);
    }
  }
}

function expectKeyAggregate(keyAggregate: MusigKeyAggregate): MusigKeyAggregate {
  if (!madeKeyAggregates.has(keyAggregate)) throw new NamesError('BAD_TYPE', 'musig2 key aggregate: expected one made by musigAggregatePublicKeys');
  return keyAggregate;
}

function expectSession(session: MusigSession): library.Session {
  const context = sessionContexts.get(session);
  if (context === undefined) throw new NamesError('BAD_TYPE', 'musig2 session: expected a session made by musigStartSession');
  return context;
}

/** BIP327 GetSessionKeyAggCoeff: "Fail if pk ∉ {pk1..pku}". */
function expectSigner(keyAggregate: MusigKeyAggregate, publicKey: Uint8Array): void {
  if (!keyAggregate.publicKeys.some((key) => equalBytes(key, publicKey))) {
    throw new NamesError('MUSIG_SIGNER_NOT_IN_KEYS', "musig2 secret key: the signer's public key is not in the list of public keys");
  }
}

function expectOnePerSigner(session: MusigSession, list: readonly Uint8Array[], length: number, field: string): Uint8Array[] {
  const items = expectByteList(list, length, field);
  const signerCount = session.keyAggregate.publicKeys.length;
  if (items.length !== signerCount) throw new NamesError('BAD_LENGTH', `${field}: expected ${signerCount}, one per signer, got ${items.length}`);
  return items;
}

/** BIP327 ApplyTweak: "Fail if t ≥ n"; the infinity check needs the point, so the library makes it. */
function expectTweaks(tweaks: readonly MusigTweak[]): MusigTweak[] {
  if (!Array.isArray(tweaks)) throw new NamesError('BAD_TYPE', 'musig2 tweaks: expected an array');
  return tweaks.map(({ tweak, xOnly }, index) => {
    expectBytes(tweak, MUSIG_TWEAK_BYTES, `musig2 tweak ${index}`);
    if (typeof xOnly !== 'boolean') throw new NamesError('BAD_TYPE', `musig2 tweak ${index}: xOnly must be a boolean`);
    if (bytesToNumber(tweak) >= CURVE_ORDER) {
      throw new NamesError('MUSIG_TWEAK_OUT_OF_RANGE', `musig2 tweak ${index}: must be less than the curve order n`);
    }
    return Object.freeze({ tweak: copyBytes(tweak), xOnly });
  });
}

function tweakBytes(tweaks: readonly MusigTweak[]): Uint8Array[] {
  return tweaks.map(({ tweak }) => tweak);
}

function tweakModes(tweaks: readonly MusigTweak[]): boolean[] {
  return tweaks.map(({ xOnly }) => xOnly);
}

/** Maps the library's errors to typed ones; anything else is a bug and goes up unchanged. */
function callLibrary<Result>(action: () => Result): Result {
  try {
    return action();
  } catch (error) {
    if (error instanceof library.InvalidContributionErr) {
      const contribution = LIBRARY_CONTRIBUTIONS[error.message];
      if (contribution !== undefined) throw new MusigContributionError(error.idx, contribution, { cause: error });
    }
    // BIP327 ApplyTweak: "Fail if is_infinite(Q')". The library reports it only by message.
    if (error instanceof Error && error.message.includes('tweaking cannot be infinity')) {
      throw new NamesError('MUSIG_TWEAK_AT_INFINITY', 'musig2 tweaks: a tweak moves the aggregate key to the point at infinity', { cause: error });
    }
    throw error;
  }
}

function expectByteList(list: readonly Uint8Array[], length: number, field: string): Uint8Array[] {
  if (!Array.isArray(list)) throw new NamesError('BAD_TYPE', `${field}: expected an array`);
  if (list.length === 0) throw new NamesError('BAD_LENGTH', `${field}: expected at least one`);
  return list.map((item: unknown, index) => expectBytes(item, length, `${field}[${index}]`));
}

function expectAnyBytes(value: unknown, field: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new NamesError('BAD_TYPE', `${field}: expected bytes`);
  return value;
}

function expectSecretKey(secretKey: Uint8Array, field: string): void {
  expectBytes(secretKey, SCALAR_BYTES, field);
  if (!secp256k1.utils.isValidSecretKey(secretKey)) throw new NamesError('BAD_SECRET_KEY', `${field}: not in 1..n-1 of secp256k1`);
}

function expectPlainPublicKey(publicKey: Uint8Array, field: string): Uint8Array {
  expectBytes(publicKey, MUSIG_PUBLIC_KEY_BYTES, field);
  if (!isPoint(publicKey)) throw new NamesError('BAD_PUBLIC_KEY', `${field}: not a compressed secp256k1 point`);
  return publicKey;
}

function isPointOrInfinity(bytes: Uint8Array): boolean {
  return bytes.every((byte) => byte === 0) || isPoint(bytes);
}

function isPoint(bytes: Uint8Array): boolean {
  try {
    secp256k1.Point.fromBytes(bytes);
    return true;
  } catch {
    return false;
  }
}

function bytesToNumber(bytes: Uint8Array): bigint {
  return BigInt('0x' + Buffer.from(bytes).toString('hex'));
}

/** A detached copy: Buffer#slice would share memory with the caller's array. */
function copyBytes(bytes: Uint8Array): Uint8Array {
  return Uint8Array.from(bytes);
}
