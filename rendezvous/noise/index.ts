/** Public API of rendezvous/noise/: the Noise Protocol Framework (rev 34), pure, no I/O. */
export { CipherState, NOISE_KEY_BYTES, NOISE_TAG_BYTES } from './cipher-state.ts';
export { countingDh, NOISE_DH_BYTES, rngX25519Dh, x25519Dh, type DhCounter, type NoiseDh, type NoiseKeyPair } from './dh.ts';
export { HandshakeState, NOISE_MESSAGE_BYTES_MAX, type HandshakeOptions, type TransportCiphers } from './handshake-state.ts';
export { noiseBlake2s, noiseHkdf, noiseSha256, type NoiseHash, type NoiseHashName } from './hash.ts';
export { handshakePatterns, type HandshakePattern, type Token } from './patterns.ts';
export { parseProtocolName, type NoiseProtocol } from './protocol.ts';
export { SymmetricState } from './symmetric-state.ts';
export { BindingCache, signStaticBinding, STATIC_BINDING_BYTES, STATIC_BINDING_TAG, staticBindingDigest, verifyStaticBinding, type StaticBinding, type VerifiedBinding } from './identity-binding.ts';
