import { bytesToHex, concatBytes, taggedHash, type Rng } from '../../names/index.ts';
import { bip340Crypto, type BeaconScheme, type ConsensusCrypto, type SignatureScheme } from '../../agent/consensus/index.ts';
import { secretKeyFrom } from '../consensus/helpers.ts';

/**
 * Crypto for the simulator. `fastCrypto` stands in for BIP340 and the VRF with keyed hashes
 * (the simulator knows every secret), so most seeds cost microseconds per signature; the same
 * protocol code runs, and `realCrypto` runs the production schemes on the remaining seeds with
 * a verification memo shared by the run's peers (each signature is checked once per run).
 */

export type SimCrypto = ConsensusCrypto & { readonly newSecretKey: (rng: Rng) => Uint8Array };

export function fastCrypto(): SimCrypto {
  const secretByPublic = new Map<string, Uint8Array>();
  const publicKey = (secretKey: Uint8Array): Uint8Array => {
    const key = taggedHash('parley/sim/public', secretKey);
    secretByPublic.set(bytesToHex(key), secretKey);
    return key;
  };
  const signatures: SignatureScheme = {
    sign: (digest, secretKey) => concatBytes(taggedHash('parley/sim/sig/1', secretKey, digest), taggedHash('parley/sim/sig/2', secretKey, digest)),
    verify(signature, digest, key) {
      const secret = secretByPublic.get(bytesToHex(key));
      if (secret === undefined || signature.length !== 64) return false;
      return bytesToHex(signatures.sign(digest, secret)) === bytesToHex(signature);
    },
    publicKey,
  };
  const beacon: BeaconScheme = {
    prove: (secretKey, input) => concatBytes(taggedHash('parley/sim/vrf', secretKey, input), new Uint8Array(49)),
    verify(key, input, proof) {
      const secret = secretByPublic.get(bytesToHex(key));
      if (secret === undefined || proof.length !== 81) return null;
      if (bytesToHex(beacon.prove(secret, input)) !== bytesToHex(proof)) return null;
      return taggedHash('parley/sim/vrf/output', proof);
    },
  };
  return { signatures, beacon, curveKeys: false, newSecretKey: (rng) => rng.bytes(32) };
}

export function realCrypto(rng: Rng): SimCrypto {
  const real = bip340Crypto(rng);
  const verified = new Map<string, boolean>();
  const beaconOutputs = new Map<string, Uint8Array | null>();
  return {
    curveKeys: true,
    signatures: {
      sign: real.signatures.sign,
      publicKey: real.signatures.publicKey,
      verify(signature, digest, key) {
        const memo = bytesToHex(concatBytes(signature, digest, key));
        let result = verified.get(memo);
        if (result === undefined) verified.set(memo, (result = real.signatures.verify(signature, digest, key)));
        return result;
      },
    },
    beacon: {
      prove: real.beacon.prove,
      verify(key, input, proof) {
        const memo = bytesToHex(concatBytes(key, input, proof));
        let result = beaconOutputs.get(memo);
        if (result === undefined) beaconOutputs.set(memo, (result = real.beacon.verify(key, input, proof)));
        return result;
      },
    },
    newSecretKey: secretKeyFrom,
  };
}
