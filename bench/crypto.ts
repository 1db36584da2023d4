import { createCipheriv, createHash, createPrivateKey, createPublicKey, diffieHellman } from 'node:crypto';
import { chacha20poly1305, xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x25519 as nobleX25519 } from '@noble/curves/ed25519.js';
import { schnorr } from '@noble/curves/secp256k1.js';
import { blake2s as nobleBlake2s } from '@noble/hashes/blake2.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import sodium from 'sodium-native';
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
  xchachaSeal,
} from '../names/index.ts';
import { compareAll, opsPerSecond } from './measure.ts';
import { formatNumber, report, type JsonValue, type TableRow } from './report.ts';

/**
 * The crypto core's choices, measured side by side in one run (docs/DECISIONS.md "Crypto core"):
 * @noble (pure JS), node:crypto (OpenSSL) and libsodium (sodium-native) take turns in short
 * slices. Whichever backend names/crypto uses is called through our wrapper (so its checks and
 * copies are counted), marked in the last column; the others are called bare.
 * ~0.5 s per measurement, ~8 s in all.
 */
const MEASURE_MS = 500;
const DATAGRAM_BYTES = 1200;

type Backend = 'noble' | 'node' | 'sodium';
type Measurement = { name: string; unit: 'ops/s' | 'MB/s'; noble: number | null; node: number | null; sodium: number | null; ours: Backend };

export function run(_args: string[]): void {
  const measurements = [
    measureX25519(),
    measureX25519KeyPair(),
    measureChaCha(),
    measureXChaCha(),
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

/** node:crypto at its best: both KeyObjects imported once (a fresh peer key costs an import more). */
function measureX25519(): Measurement {
  const ours = x25519GenerateKeyPair();
  const theirs = x25519GenerateKeyPair();
  const privateKey = nodeX25519PrivateKey(ours.secretKey, ours.publicKey);
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: base64Url(theirs.publicKey) }, format: 'jwk' });
  const [noble, node, ourSodium] = compareAll(
    [
      () => nobleX25519.getSharedSecret(ours.secretKey, theirs.publicKey),
      () => diffieHellman({ privateKey, publicKey }),
      () => x25519(ours.secretKey, theirs.publicKey),
    ],
    MEASURE_MS,
  );
  return { name: 'X25519 shared secret (node: KeyObjects imported once)', unit: 'ops/s', noble: noble!, node: node!, sodium: ourSodium!, ours: 'sodium' };
}

/** node:crypto as names/crypto did it before libsodium: a random secret imported as JWK, `x` exported. */
function measureX25519KeyPair(): Measurement {
  const [noble, node, ourSodium] = compareAll(
    [
      () => nobleX25519.getPublicKey(randomBytes(32)),
      () => nodeX25519PrivateKey(randomBytes(32), new Uint8Array(32)).export({ format: 'jwk' }).x,
      () => x25519GenerateKeyPair(),
    ],
    MEASURE_MS,
  );
  return { name: 'X25519 key pair', unit: 'ops/s', noble: noble!, node: node!, sodium: ourSodium!, ours: 'sodium' };
}

function measureChaCha(): Measurement {
  const [key, nonce, plaintext, associatedData] = [randomBytes(32), randomBytes(12), randomBytes(DATAGRAM_BYTES), randomBytes(16)];
  const [noble, node, ourSodium] = compareAll(
    [
      () => chacha20poly1305(key, nonce, associatedData).encrypt(plaintext),
      () => {
        const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
        cipher.setAAD(associatedData, { plaintextLength: plaintext.length });
        return [cipher.update(plaintext), cipher.final(), cipher.getAuthTag()];
      },
      () => chachaSeal(key, nonce, plaintext, associatedData),
    ],
    MEASURE_MS,
  );
  return { name: `ChaCha20-Poly1305 seal, ${DATAGRAM_BYTES} B`, unit: 'MB/s', noble: megabytes(noble!), node: megabytes(node!), sodium: megabytes(ourSodium!), ours: 'sodium' };
}

/** OpenSSL has no XChaCha20-Poly1305. */
function measureXChaCha(): Measurement {
  const [key, nonce, plaintext, associatedData] = [randomBytes(32), randomBytes(24), randomBytes(DATAGRAM_BYTES), randomBytes(16)];
  const [noble, ourSodium] = compareAll([() => xchacha20poly1305(key, nonce, associatedData).encrypt(plaintext), () => xchachaSeal(key, nonce, plaintext, associatedData)], MEASURE_MS);
  return { name: `XChaCha20-Poly1305 seal, ${DATAGRAM_BYTES} B`, unit: 'MB/s', noble: megabytes(noble!), node: null, sodium: megabytes(ourSodium!), ours: 'sodium' };
}

function measureSha256(inputBytes: number): Measurement {
  const input = randomBytes(inputBytes);
  const digest = new Uint8Array(32);
  const [noble, node, bareSodium] = compareAll([() => nobleSha256(input), () => sha256(input), () => sodium.crypto_hash_sha256(digest, input)], MEASURE_MS);
  return { name: `SHA-256 of ${inputBytes} B`, unit: 'ops/s', noble: noble!, node: node!, sodium: bareSodium!, ours: 'node' };
}

/** names/crypto/hash.ts uses OpenSSL's blake2s256; libsodium has BLAKE2b only. */
function measureBlake2s(inputBytes: number): Measurement {
  const input = randomBytes(inputBytes);
  const [noble, node] = compareAll([() => nobleBlake2s(input), () => createHash('blake2s256').update(input).digest()], MEASURE_MS);
  return { name: `BLAKE2s-256 of ${inputBytes} B`, unit: 'ops/s', noble: noble!, node: node!, sodium: null, ours: 'node' };
}

function nodeX25519PrivateKey(secretKey: Uint8Array, publicKey: Uint8Array): ReturnType<typeof createPrivateKey> {
  return createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: base64Url(secretKey), x: base64Url(publicKey) }, format: 'jwk' });
}

function base64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

function megabytes(operationsPerSecond: number): number {
  return (operationsPerSecond * DATAGRAM_BYTES) / 1e6;
}

/** schnorrSign/schnorrVerify are thin checks over @noble/curves: there is no native secp256k1. */
function measureSchnorr(): Measurement[] {
  const secretKey = generateSecretKey();
  const publicKey = schnorrPublicKey(secretKey);
  const message = randomBytes(32);
  const auxRand = randomBytes(32);
  const signature = schnorrSign(message, secretKey, auxRand);
  return [
    { name: 'BIP340 sign', unit: 'ops/s', noble: opsPerSecond(() => schnorrSign(message, secretKey, auxRand), MEASURE_MS), node: null, sodium: null, ours: 'noble' },
    { name: 'BIP340 verify, @noble/curves', unit: 'ops/s', noble: opsPerSecond(() => schnorr.verify(signature, message, publicKey), MEASURE_MS), node: null, sodium: null, ours: 'noble' },
    // schnorrVerify runs libsecp256k1 (WASM) for 32-byte digests; shown in the first column, there is no node:crypto BIP340.
    { name: 'BIP340 verify, schnorrVerify (libsecp256k1 WASM)', unit: 'ops/s', noble: opsPerSecond(() => schnorrVerify(signature, message, publicKey), MEASURE_MS), node: null, sodium: null, ours: 'noble' },
  ];
}

function measureMusigKeyAggregation(): Measurement {
  const publicKeys = [generateSecretKey(), generateSecretKey()].map(musigIndividualPublicKey);
  return { name: 'MuSig2 key aggregation, 2 keys', unit: 'ops/s', noble: opsPerSecond(() => musigAggregatePublicKeys(publicKeys), MEASURE_MS), node: null, sodium: null, ours: 'noble' };
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
  return { name: 'MuSig2 full 2-party session', unit: 'ops/s', noble: opsPerSecond(session, MEASURE_MS), node: null, sodium: null, ours: 'noble' };
}

function toRow({ name, unit, noble, node, sodium: sodiumValue, ours }: Measurement): TableRow {
  const cell = (value: number | null): number | string => (value === null ? '—' : value);
  return {
    measurement: `${name} (${unit})`,
    '@noble': cell(noble),
    'node:crypto': cell(node),
    'libsodium': cell(sodiumValue),
    'sodium / node': node !== null && sodiumValue !== null ? `${formatNumber(sodiumValue / node)}×` : '—',
    'names/crypto uses': ours === 'noble' ? (name.includes('libsecp256k1') ? 'libsecp256k1' : '@noble') : ours === 'node' ? 'node:crypto' : 'libsodium',
  };
}

function toJson(measurements: readonly Measurement[]): { [key: string]: JsonValue } {
  const rounded = (value: number | null): number | null => (value === null ? null : round(value));
  return {
    node: process.version,
    measureMs: MEASURE_MS,
    measurements: measurements.map(({ name, unit, noble, node, sodium: sodiumValue, ours }) => ({
      name,
      unit,
      noble: rounded(noble),
      node: rounded(node),
      sodium: rounded(sodiumValue),
      ours,
      nodeOverNoble: noble !== null && node !== null ? round(node / noble) : null,
      sodiumOverNode: sodiumValue !== null && node !== null ? round(sodiumValue / node) : null,
    })),
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
