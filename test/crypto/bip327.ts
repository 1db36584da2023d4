import assert from 'node:assert/strict';
import { MusigContributionError, NamesError, type MusigContribution, type NamesErrorCode } from '../../names/index.ts';

/** The `error` object of a BIP327 error vector. */
export type Bip327Error =
  | { type: 'invalid_contribution'; signer: number | null; contrib: string }
  | { type: 'value'; message: string };

/** BIP327 contribution names → ours (the house style spells names out). */
const CONTRIBUTIONS: Record<string, MusigContribution> = {
  pubkey: 'publicKey',
  pubnonce: 'publicNonce',
  aggnonce: 'aggregateNonce',
  aggothernonce: 'aggregateOtherNonce',
  psig: 'partialSignature',
};

/**
 * BIP327 "value" errors → our codes. The zeroed secnonce is what Sign leaves after use, so it
 * reads as nonce reuse (the vector's own comment: "may indicate nonce reuse").
 */
const VALUE_ERRORS: Record<string, NamesErrorCode> = {
  'The tweak must be less than n.': 'MUSIG_TWEAK_OUT_OF_RANGE',
  'The result of tweaking cannot be infinity.': 'MUSIG_TWEAK_AT_INFINITY',
  "The signer's pubkey must be included in the list of pubkeys.": 'MUSIG_SIGNER_NOT_IN_KEYS',
  'first secnonce value is out of range.': 'MUSIG_NONCE_REUSED',
};

/** Asserts that `action` fails with the typed error the vector names (and blames its signer). */
export function assertBip327Error(action: () => unknown, expected: Bip327Error): void {
  assert.throws(action, (error: unknown) => {
    if (expected.type === 'value') {
      const code = VALUE_ERRORS[expected.message];
      assert.ok(code !== undefined, `no code mapped for vector message ${JSON.stringify(expected.message)}`);
      assert.ok(error instanceof NamesError, `expected a NamesError, got ${String(error)}`);
      assert.equal(error.code, code, error.message);
      return true;
    }
    assert.ok(error instanceof MusigContributionError, `expected a MusigContributionError, got ${String(error)}`);
    assert.equal(error.code, 'MUSIG_INVALID_CONTRIBUTION');
    assert.equal(error.signerIndex, expected.signer);
    assert.equal(error.contribution, CONTRIBUTIONS[expected.contrib]);
    if (expected.signer !== null) assert.match(error.message, new RegExp(`signer ${expected.signer}\\b`));
    return true;
  });
}
