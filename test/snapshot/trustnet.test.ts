import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bytesToHex } from '../../names/index.ts';
import { TrustnetError, verifyAttestations } from '../../agent/snapshot/attestation.ts';
import type { Attestation, SnapshotClaim } from '../../agent/snapshot/types.ts';
import { attest, authoritiesFrom } from './helpers.ts';

/** The trustnet rule (verifyAttestations): every configured authority, the same tuple, newest first. */
const chainId = new Uint8Array(32).fill(0xc1);
const signers = authoritiesFrom(7, 4);
const [a, b, c, stranger] = signers as [(typeof signers)[0], (typeof signers)[0], (typeof signers)[0], (typeof signers)[0]];
const keys = [a, b, c].map((signer) => signer.publicKey);
const hex = (signer: { publicKey: Uint8Array }): string => bytesToHex(signer.publicKey);

function claimAt(height: number, rootByte = 0x5e): SnapshotClaim {
  return { chainId, height, blockHash: new Uint8Array(32).fill(height & 0xff), stateRoot: new Uint8Array(32).fill(rootByte), chunkCount: 7 };
}

function rejects(attestations: readonly Attestation[], code: string, authorities: readonly string[], message?: RegExp): void {
  assert.throws(
    () => verifyAttestations(keys, attestations, chainId),
    (error: unknown) => {
      assert.ok(error instanceof TrustnetError, String(error));
      assert.equal(error.code, code);
      assert.deepEqual([...error.authorities].sort(), [...authorities].sort());
      if (message !== undefined) assert.match(error.message, message);
      return true;
    },
  );
}

describe('trustnet rule', () => {
  test('all three sign one tuple: it is trusted, with one attestation per authority in configuration order', () => {
    const attestations = attest(claimAt(100), [c, a, b, stranger, a]);
    const trusted = verifyAttestations(keys, attestations, chainId);
    assert.equal(trusted.claim.height, 100);
    assert.deepEqual(trusted.attestations.map((attestation) => bytesToHex(attestation.authority)), [a, b, c].map(hex));
  });

  test('one authority missing: refused, naming it', () => {
    rejects(attest(claimAt(100), [a, b, stranger]), 'SNAPSHOT_ATTESTATION_MISSING', [hex(c)], /height 100/);
  });

  test('no attestation at all: every authority is named', () => {
    rejects([], 'SNAPSHOT_ATTESTATION_MISSING', [a, b, c].map(hex), /no snapshot is attested/);
  });

  test('a bad signature counts as none, and the error says it was dropped', () => {
    const [good1, good2, forged] = attest(claimAt(100), [a, b, c]) as [Attestation, Attestation, Attestation];
    const broken = { ...forged, signature: forged.signature.map((byte, index) => (index === 0 ? byte ^ 1 : byte)) };
    rejects([good1, good2, broken], 'SNAPSHOT_ATTESTATION_MISSING', [hex(c)], /bad signature/);
  });

  test('an attestation for another chain counts as none', () => {
    const other = { ...claimAt(100), chainId: new Uint8Array(32).fill(0xc2) };
    rejects([...attest(claimAt(100), [a, b]), ...attest(other, [c])], 'SNAPSHOT_ATTESTATION_MISSING', [hex(c)], /for chain c2c2/);
  });

  test('two states at one height: refused, naming every authority on either side', () => {
    rejects([...attest(claimAt(100), [a, b]), ...attest(claimAt(100, 0x5f), [c])], 'SNAPSHOT_ATTESTATIONS_CONFLICT', [a, b, c].map(hex), /version 1 by .*; version 2 by/);
  });

  test('one authority signing two states at one height is a conflict too, even with a complete older snapshot', () => {
    const attestations = [...attest(claimAt(50), [a, b, c]), ...attest(claimAt(100), [a, b]), ...attest(claimAt(100, 0x11), [b])];
    rejects(attestations, 'SNAPSHOT_ATTESTATIONS_CONFLICT', [a, b].map(hex), /height 100/);
  });

  test('the newest snapshot that all signed wins over newer ones with fewer signatures', () => {
    const attestations = [...attest(claimAt(200), [a, b]), ...attest(claimAt(100), [a, b, c]), ...attest(claimAt(50), [a, b, c]), ...attest(claimAt(300), [c])];
    assert.equal(verifyAttestations(keys, attestations, chainId).claim.height, 100);
  });

  test('a bad configuration is refused', () => {
    const claim = attest(claimAt(1), [a]);
    assert.throws(() => verifyAttestations([], claim, chainId), { code: 'SNAPSHOT_BAD_AUTHORITIES' });
    assert.throws(() => verifyAttestations([a.publicKey, a.publicKey], claim, chainId), { code: 'SNAPSHOT_BAD_AUTHORITIES' });
    assert.throws(() => verifyAttestations([new Uint8Array(32).fill(0xff)], claim, chainId), { code: 'SNAPSHOT_BAD_AUTHORITIES' });
  });
});
