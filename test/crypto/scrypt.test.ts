import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesToHex, scrypt, SCRYPT_DEFAULTS, type ScryptParameters } from '../../names/index.ts';

const text = (value: string): Uint8Array => new TextEncoder().encode(value);

test('scrypt (RFC 7914 §12): N = 16, r = 1, p = 1, empty password and salt', async () => {
  const key = await scrypt(text(''), text(''), { costLog2: 4, blockSize: 1, parallelism: 1, keyBytes: 64 });
  assert.equal(
    bytesToHex(key),
    '77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906',
  );
});

test('scrypt (RFC 7914 §12): N = 1024, r = 8, p = 16, "password" / "NaCl"', async () => {
  const key = await scrypt(text('password'), text('NaCl'), { costLog2: 10, blockSize: 8, parallelism: 16, keyBytes: 64 });
  assert.equal(
    bytesToHex(key),
    'fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640',
  );
});

test('scrypt rejects absurd parameters before doing any work', async () => {
  const absurd: [string, Partial<ScryptParameters>][] = [
    ['costLog2', { costLog2: 23 }],
    ['costLog2', { costLog2: 0 }],
    ['costLog2', { costLog2: 10.5 }],
    ['blockSize', { blockSize: 0 }],
    ['blockSize', { blockSize: 33 }],
    ['parallelism', { parallelism: 17 }],
    ['parallelism', { parallelism: Number.NaN }],
    ['keyBytes', { keyBytes: 8 }],
    ['keyBytes', { keyBytes: 65 }],
    // Each value in range, but 128·N·r would be 16 GiB.
    ['128·N·r', { costLog2: 22, blockSize: 32 }],
  ];
  for (const [field, change] of absurd) {
    await assert.rejects(scrypt(text('pw'), text('salt'), { ...SCRYPT_DEFAULTS, ...change }), { code: 'BAD_PARAMETER', message: new RegExp(field.replace('·', '.')) });
  }
});
