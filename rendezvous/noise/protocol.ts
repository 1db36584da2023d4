import { RendezvousError } from '../errors.ts';
import { noiseBlake2s, noiseSha256, type NoiseHash } from './hash.ts';
import { handshakePatterns, type HandshakePattern } from './patterns.ts';

/** A parsed protocol name (Noise rev 34 §8): Noise_<pattern>_25519_ChaChaPoly_<hash>. */
export type NoiseProtocol = { readonly name: string; readonly pattern: HandshakePattern; readonly hash: NoiseHash };

const PROTOCOL_NAME = /^Noise_([A-Z0-9]+)_25519_ChaChaPoly_(SHA256|BLAKE2s)$/;

/** Throws NOISE_UNSUPPORTED_PROTOCOL for any other DH, cipher, hash, modifier or pattern. */
export function parseProtocolName(name: string): NoiseProtocol {
  const match = PROTOCOL_NAME.exec(name);
  const pattern = match === null ? undefined : handshakePatterns.get(match[1]!);
  if (match === null || pattern === undefined) {
    throw new RendezvousError('NOISE_UNSUPPORTED_PROTOCOL', `noise: unsupported protocol ${JSON.stringify(name)}`);
  }
  return { name, pattern, hash: match[2] === 'SHA256' ? noiseSha256 : noiseBlake2s };
}
