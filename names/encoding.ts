import { expectBytes } from './bytes.ts';
import { decodeBech32m, encodeBech32m, wordsToBytes } from './bech32.ts';
import { KEY_BYTES } from './constants.ts';
import { isValidXOnlyPublicKey } from './crypto/schnorr.ts';
import { NamesError } from './errors.ts';

/**
 * Printed 32-byte values: bech32m (BIP350) with one two-letter prefix per kind, all starting
 * with `p` for Parley, so a wallet key pasted where an agent key belongs fails with
 * WRONG_PREFIX instead of meaning something else. docs/PROTOCOL.md "Keys and names" has the table.
 */
export const KEY_PREFIXES = {
  /** A wallet's identity key (BIP340 x-only). */
  wallet: 'pw',
  /** An agent's (peer's) identity key (BIP340 x-only). */
  agent: 'pa',
  /** A fresh one-time key a payee hands over for one payment (BIP340 x-only; may be a MuSig2 aggregate). */
  payment: 'pp',
  /** A transaction hash (SHA-256): names a transaction and, with it, its receipt. */
  transaction: 'pt',
  /** The hash of a canonical contract document both parties signed. */
  contract: 'pc',
  /** A block hash, e.g. the snapshot a new agent bootstraps from. */
  block: 'pb',
} as const;

export type KeyKind = keyof typeof KEY_PREFIXES;
export type KeyPrefix = (typeof KEY_PREFIXES)[KeyKind];
/** Kinds whose 32 bytes must be an x coordinate on secp256k1. */
export type PublicKeyKind = 'wallet' | 'agent' | 'payment';
/** Kinds that name a long-lived identity (contacts, login, rendezvous). */
export type IdentityKeyKind = 'wallet' | 'agent';

export type KeyText<Kind extends KeyKind = KeyKind> = `${(typeof KEY_PREFIXES)[Kind]}1${string}`;
export type WalletKeyText = KeyText<'wallet'>;
export type AgentKeyText = KeyText<'agent'>;
export type PaymentKeyText = KeyText<'payment'>;
export type TransactionHashText = KeyText<'transaction'>;
export type ContractHashText = KeyText<'contract'>;
export type BlockHashText = KeyText<'block'>;
export type IdentityKeyText = KeyText<IdentityKeyKind>;

/** A decoded value; `text` is its canonical (lower-case) printed form. */
export type DecodedKey<Kind extends KeyKind = KeyKind> = {
  [K in Kind]: { readonly kind: K; readonly bytes: Uint8Array; readonly text: KeyText<K> };
}[Kind];

export const KEY_KINDS = Object.keys(KEY_PREFIXES) as readonly KeyKind[];
const PUBLIC_KEY_KINDS: ReadonlySet<KeyKind> = new Set<KeyKind>(['wallet', 'agent', 'payment']);
const KIND_BY_PREFIX: ReadonlyMap<string, KeyKind> = new Map(KEY_KINDS.map((kind) => [KEY_PREFIXES[kind], kind]));

export function isPublicKeyKind(kind: KeyKind): kind is PublicKeyKind {
  return PUBLIC_KEY_KINDS.has(kind);
}

/** How a kind is named in messages: `wallet key`, `transaction hash`. */
export function describeKind(kind: KeyKind): string {
  return isPublicKeyKind(kind) ? `${kind} key` : `${kind} hash`;
}

/** Prints 32 bytes as `<prefix>1…`; public-key kinds must be valid x-only keys (BAD_PUBLIC_KEY). */
export function encodeKey<Kind extends KeyKind>(kind: Kind, bytes: Uint8Array): KeyText<Kind> {
  expectKind(kind);
  const field = describeKind(kind);
  expectBytes(bytes, KEY_BYTES, field);
  if (isPublicKeyKind(kind) && !isValidXOnlyPublicKey(bytes)) {
    throw new NamesError('BAD_PUBLIC_KEY', `${field}: not an x coordinate on secp256k1`);
  }
  return encodeBech32m(KEY_PREFIXES[kind], bytes) as KeyText<Kind>;
}

/** The bytes of a printed value that must be of `kind`. */
export function decodeKey<Kind extends KeyKind>(kind: Kind, text: string): Uint8Array {
  return decodeKeyOf([kind], text).bytes;
}

/** A printed value of any kind. */
export function decodeAny(text: string): DecodedKey {
  return decodeKeyOf(KEY_KINDS, text);
}

/**
 * A printed value whose kind is one of `kinds`. Checks in this order, each with its own code:
 * bech32m format (BAD_ENCODING), checksum (BAD_CHECKSUM), prefix (WRONG_PREFIX), payload
 * length (BAD_LENGTH), padding (BAD_ENCODING), and for keys the curve (BAD_PUBLIC_KEY).
 * The checksum comes before the prefix because it covers the prefix: a typo in the prefix is
 * a checksum failure, while a well-formed string of another kind is a wrong prefix.
 */
export function decodeKeyOf<Kind extends KeyKind>(kinds: readonly Kind[], text: string): DecodedKey<Kind> {
  for (const kind of kinds) expectKind(kind);
  const expected = kinds.length === KEY_KINDS.length ? 'key' : kinds.map(describeKind).join(' or ');
  const { prefix, words } = decodeBech32m(text, expected);
  const kind = KIND_BY_PREFIX.get(prefix) as Kind | undefined;
  if (kind === undefined || !kinds.includes(kind)) {
    const wanted = kinds.map((each) => `"${KEY_PREFIXES[each]}" (${describeKind(each)})`).join(' or ');
    const got = kind === undefined ? 'not a Parley prefix' : describeKind(kind);
    throw new NamesError('WRONG_PREFIX', `${expected}: expected prefix ${wanted}, got "${prefix}" (${got})`);
  }
  const field = describeKind(kind);
  const bytes = wordsToBytes(words, KEY_BYTES, field);
  if (isPublicKeyKind(kind) && !isValidXOnlyPublicKey(bytes)) {
    throw new NamesError('BAD_PUBLIC_KEY', `${field}: not an x coordinate on secp256k1`);
  }
  return { kind, bytes, text: text.toLowerCase() } as DecodedKey<Kind>;
}

function expectKind(kind: string): asserts kind is KeyKind {
  if (!Object.hasOwn(KEY_PREFIXES, kind)) {
    throw new NamesError('BAD_PARAMETER', `key kind: expected one of ${KEY_KINDS.join(', ')}, got ${JSON.stringify(kind)}`);
  }
}
