import { createHash, diffieHellman, generateKeyPairSync } from 'node:crypto';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x25519 as nobleX25519 } from '@noble/curves/ed25519.js';
import { schnorr } from '@noble/curves/secp256k1.js';
import { blake2s as nobleBlake2s } from '@noble/hashes/blake2.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import {
  chachaSeal,
  generateSecretKey,
  musigAggregateNonces,
  musigAggregatePartialSignatures,
  musigAggregatePublicKeys,
  musigGenerateNonce,
  musigIndividualPublicKey,
  musigPartialSign,
  musigPartialVerify,
  musigStartSession,
  randomBytes,
  schnorrPublicKey,
  schnorrSign,
  schnorrVerify,
  sha256,
  x25519,
  x25519GenerateKeyPair,
} from '../names/index.ts';
import { comparePair, opsPerSecond } from './measure.ts';
import { formatNumber, report, type JsonValue, type TableRow } from './report.ts';

/**
 * The crypto core's choices, measured side by side in one run (docs/DECISIONS.md "Crypto core"):
 * @noble (pure JS) against node:crypto (OpenSSL) through our own wrappers, so the wrapper's
 * cost (DER key import, Buffer copies) is counted. ~0.5 s per measurement, ~6 s in all.
 */
const MEASURE_MS = 500;
const DATAGRAM_BYTES = 1200;

type Measurement = { name: string; unit: 'ops/s' | 'MB/s'; noble: number | null; node: number | null };

export function run(_args: string[]): void {
  const measurements = [
    measureX25519(),
    measureX25519FreshKeys(),
    measureX25519PreparedKeys(),
    measureChaCha(),
    measureSha256(64),
    measureSha256(DATAGRAM_BYTES),
    measureBlake2s(64),
    measureBlake2s(DATAGRAM_BYTES),
    ...measureSchnorr(),
    measureMusigKeyAggregation(),
    measureMusigSession(),
  ];
  report('crypto', toJson(measurements), measurements.map(toRow));
}

function measureX25519(): Measurement {
  const ours = x25519GenerateKeyPair();
  const theirs = x25519GenerateKeyPair();
  const [noble, node] = comparePair(
    () => nobleX25519.getSharedSecret(ours.secretKey, theirs.publicKey),
    () => x25519(ours.secretKey, theirs.publicKey),
    MEASURE_MS,
  );
  return { name: 'X25519 shared secret, keys reused (static keys)', unit: 'ops/s', noble, node };
}

/** Fresh byte arrays on every call (ephemeral keys): the wrapper imports both keys each time. */
function measureX25519FreshKeys(): Measurement {
  const ours = x25519GenerateKeyPair();
  const theirs = x25519GenerateKeyPair();
  const [noble, node] = comparePair(
    () => nobleX25519.getSharedSecret(ours.secretKey.slice(), theirs.publicKey.slice()),
    () => x25519(ours.secretKey.slice(), theirs.publicKey.slice()),
    MEASURE_MS,
  );
  return { name: 'X25519 shared secret, fresh key arrays', unit: 'ops/s', noble, node };
}

/**
 * The ceiling for X25519 on node:crypto: KeyObjects imported once, no wrapper. Our wrapper
 * remembers imported KeyObjects per byte array, so reused keys come close to this.
 */
function measureX25519PreparedKeys(): Measurement {
  const ours = generateKeyPairSync('x25519');
  const theirs = generateKeyPairSync('x25519');
  const node = opsPerSecond(() => diffieHellman({ privateKey: ours.privateKey, publicKey: theirs.publicKey }), MEASURE_MS / 2);
  return { name: 'X25519, KeyObjects imported once (no wrapper)', unit: 'ops/s', noble: null, node };
}

function measureChaCha(): Measurement {
  const [key, nonce, plaintext, associatedData] = [randomBytes(32), randomBytes(12), randomBytes(DATAGRAM_BYTES), randomBytes(16)];
  const [noble, node] = comparePair(
    () => chacha20poly1305(key, nonce, associatedData).encrypt(plaintext),
    () => chachaSeal(key, nonce, plaintext, associatedData),
    MEASURE_MS,
  );
  const megabytes = (opsPerSecondValue: number): number => (opsPerSecondValue * DATAGRAM_BYTES) / 1e6;
  return { name: `ChaCha20-Poly1305 seal, ${DATAGRAM_BYTES} B`, unit: 'MB/s', noble: megabytes(noble), node: megabytes(node) };
}

function measureSha256(inputBytes: number): Measurement {
  const input = randomBytes(inputBytes);
  const [noble, node] = comparePair(() => nobleSha256(input), () => sha256(input), MEASURE_MS);
  return { name: `SHA-256 of ${inputBytes} B`, unit: 'ops/s', noble, node };
}

/** names/crypto/hash.ts uses OpenSSL's blake2s256 (the node column). */
function measureBlake2s(inputBytes: number): Measurement {
  const input = randomBytes(inputBytes);
  const [noble, node] = comparePair(() => nobleBlake2s(input), () => createHash('blake2s256').update(input).digest(), MEASURE_MS);
  return { name: `BLAKE2s-256 of ${inputBytes} B`, unit: 'ops/s', noble, node };
}

/** schnorrSign/schnorrVerify are thin checks over @noble/curves: there is no native secp256k1. */
function measureSchnorr(): Measurement[] {
  const secretKey = generateSecretKey();
  const publicKey = schnorrPublicKey(secretKey);
  const message = randomBytes(32);
  const auxRand = randomBytes(32);
  const signature = schnorrSign(message, secretKey, auxRand);
  return [
    { name: 'BIP340 sign', unit: 'ops/s', noble: opsPerSecond(() => schnorrSign(message, secretKey, auxRand), MEASURE_MS), node: null },
    { name: 'BIP340 verify, @noble/curves', unit: 'ops/s', noble: opsPerSecond(() => schnorr.verify(signature, message, publicKey), MEASURE_MS), node: null },
    // schnorrVerify runs libsecp256k1 (WASM) for 32-byte digests; shown in the first column, there is no node:crypto BIP340.
    { name: 'BIP340 verify, schnorrVerify (libsecp256k1 WASM)', unit: 'ops/s', noble: opsPerSecond(() => schnorrVerify(signature, message, publicKey), MEASURE_MS), node: null },
  ];
}

function measureMusigKeyAggregation(): Measurement {
  const publicKeys = [generateSecretKey(), generateSecretKey()].map(musigIndividualPublicKey);
  return { name: 'MuSig2 key aggregation, 2 keys', unit: 'ops/s', noble: opsPerSecond(() => musigAggregatePublicKeys(publicKeys), MEASURE_MS), node: null };
}

/** Key aggregation, 2 nonces, nonce aggregation, 2 partial signatures, 2 partial verifications, aggregation, BIP340 verify. */
function measureMusigSession(): Measurement {
  const secretKeys = [generateSecretKey(), generateSecretKey()];
  const publicKeys = secretKeys.map(musigIndividualPublicKey);
  const message = randomBytes(32);
  const session = (): boolean => {
    const keyAggregate = musigAggregatePublicKeys(publicKeys);
    const nonces = publicKeys.map((publicKey, index) =>
      musigGenerateNonce({ publicKey, secretKey: secretKeys[index], aggregatePublicKey: keyAggregate.aggregatePublicKey, message }),
    );
    const publicNonces = nonces.map((nonce) => nonce.publicNonce);
    const context = musigStartSession(keyAggregate, musigAggregateNonces(publicNonces), message);
    const partialSignatures = nonces.map((nonce, index) => musigPartialSign(context, nonce.secretNonce, secretKeys[index]!));
    partialSignatures.forEach((partialSignature, index) => musigPartialVerify(context, partialSignature, publicNonces, index));
    return schnorrVerify(musigAggregatePartialSignatures(context, partialSignatures), message, keyAggregate.aggregatePublicKey);
  };
  return { name: 'MuSig2 full 2-party session', unit: 'ops/s', noble: opsPerSecond(session, MEASURE_MS), node: null };
}

function toRow({ name, unit, noble, node }: Measurement): TableRow {
  return {
    measurement: `${name} (${unit})`,
    '@noble': noble === null ? '—' : noble,
    'node:crypto': node === null ? '—' : node,
    'node / noble': noble !== null && node !== null ? `${formatNumber(node / noble)}×` : '—',
  };
}

function toJson(measurements: readonly Measurement[]): { [key: string]: JsonValue } {
  return {
    node: process.version,
    measureMs: MEASURE_MS,
    measurements: measurements.map(({ name, unit, noble, node }) => ({
      name,
      unit,
      noble: noble === null ? null : round(noble),
      node: node === null ? null : round(node),
      nodeOverNoble: noble !== null && node !== null ? round(node / noble) : null,
    })),
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
