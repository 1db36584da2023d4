import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import {
  IDENTITY_PURPOSES,
  bytesToHex,
  expectIdentitySignature,
  generateIdentityKeyPair,
  hexToBytes,
  identityDigest,
  identityKeyPairFromSecretKey,
  identityTag,
  signIdentityMessage,
  verifyIdentitySignature,
  wipeIdentityKeyPair,
  type IdentityPurpose,
} from '../../names/index.ts';

// BIP340 test vector 0: secret key 3 and its x-only public key.
const SECRET_KEY = hexToBytes('0000000000000000000000000000000000000000000000000000000000000003');
const PUBLIC_KEY = 'f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9';
const MESSAGE = new TextEncoder().encode('hello');
const AUX_RAND = new Uint8Array(32);

test('a key pair from a secret key matches BIP340 and copies the secret', () => {
  const secretKey = new Uint8Array(SECRET_KEY);
  const pair = identityKeyPairFromSecretKey(secretKey);
  assert.equal(bytesToHex(pair.publicKey), PUBLIC_KEY);
  secretKey.fill(0);
  assert.deepEqual(pair.secretKey, SECRET_KEY, 'wiping the caller copy leaves the pair intact');
  wipeIdentityKeyPair(pair);
  assert.ok(pair.secretKey.every((byte) => byte === 0));
});

test('generated key pairs are distinct and consistent', () => {
  const a = generateIdentityKeyPair();
  const b = generateIdentityKeyPair();
  assert.notDeepEqual(a.publicKey, b.publicKey);
  assert.deepEqual(identityKeyPairFromSecretKey(a.secretKey).publicKey, a.publicKey);
});

test('the digest is the BIP340 tagged hash with tag parley/v1/<purpose>', () => {
  const sha256 = (...parts: Uint8Array[]) => {
    const hash = createHash('sha256');
    for (const part of parts) hash.update(part);
    return new Uint8Array(hash.digest());
  };
  for (const purpose of IDENTITY_PURPOSES) {
    assert.equal(identityTag(purpose), `parley/v1/${purpose}`);
    const tagHash = sha256(new TextEncoder().encode(`parley/v1/${purpose}`));
    assert.deepEqual(identityDigest(purpose, MESSAGE), sha256(tagHash, tagHash, MESSAGE));
  }
  assert.equal(new Set(IDENTITY_PURPOSES.map(identityTag)).size, IDENTITY_PURPOSES.length, 'one tag per purpose');
});

test('golden: the login digest of "hello" and its signature by secret key 3 with zero aux rand', () => {
  assert.equal(bytesToHex(identityDigest('login', MESSAGE)), '59b9a1e5fae6a7da328cb5de0af061a7d2558a0679ddc90281c738579fa7d3cd');
  const signature = signIdentityMessage('login', MESSAGE, SECRET_KEY, AUX_RAND);
  assert.equal(
    bytesToHex(signature),
    '48ee67a7ea303c43e549048f8148b4b3842ef5f2ef7032f928611acf94ac4ac388ee2ff76c9887ebc147d56e832ac49a68ea56832aa252be8e366ccc18134527',
  );
  assert.ok(verifyIdentitySignature('login', signature, MESSAGE, hexToBytes(PUBLIC_KEY)));
});

test('domain separation: a signature for one purpose does not verify for any other', () => {
  const pair = identityKeyPairFromSecretKey(SECRET_KEY);
  const signature = signIdentityMessage('contract', MESSAGE, pair.secretKey);
  for (const purpose of IDENTITY_PURPOSES) {
    assert.equal(verifyIdentitySignature(purpose, signature, MESSAGE, pair.publicKey), purpose === 'contract', purpose);
  }
});

test('verification fails for another message, another key, or malformed input, without throwing', () => {
  const pair = identityKeyPairFromSecretKey(SECRET_KEY);
  const other = generateIdentityKeyPair();
  const signature = signIdentityMessage('login', MESSAGE, pair.secretKey);
  assert.equal(verifyIdentitySignature('login', signature, new Uint8Array([1]), pair.publicKey), false);
  assert.equal(verifyIdentitySignature('login', signature, MESSAGE, other.publicKey), false);
  assert.equal(verifyIdentitySignature('login', signature.subarray(1), MESSAGE, pair.publicKey), false);
  assert.equal(verifyIdentitySignature('nonsense' as IdentityPurpose, signature, MESSAGE, pair.publicKey), false);
});

test('typed errors: unknown purpose, bad secret key, failed expectation', () => {
  assert.throws(() => signIdentityMessage('nonsense' as IdentityPurpose, MESSAGE, SECRET_KEY), {
    code: 'BAD_PARAMETER',
    message: /identity purpose: expected one of session-binding, .*, got "nonsense"/,
  });
  assert.throws(() => identityKeyPairFromSecretKey(new Uint8Array(32)), { code: 'BAD_SECRET_KEY' });
  assert.throws(() => identityKeyPairFromSecretKey(new Uint8Array(31)), { code: 'BAD_LENGTH', message: 'identity secret key: expected 32 bytes, got 31' });
  const pair = identityKeyPairFromSecretKey(SECRET_KEY);
  const signature = signIdentityMessage('login', MESSAGE, pair.secretKey);
  assert.doesNotThrow(() => expectIdentitySignature('login', signature, MESSAGE, pair.publicKey, 'login answer'));
  assert.throws(() => expectIdentitySignature('session-binding', signature, MESSAGE, pair.publicKey, 'login answer'), {
    code: 'BAD_SIGNATURE',
    message: 'login answer: not a session-binding signature of this message by this key',
  });
  assert.throws(() => expectIdentitySignature('login', signature, MESSAGE, new Uint8Array(32).fill(0xff), 'login answer'), {
    code: 'BAD_PUBLIC_KEY',
  });
});
