import { RendezvousError } from '../errors.ts';
import type { CipherState, TransportCiphers } from '../noise/index.ts';
import { encodeTransport, type TransportPacket } from './packets.ts';
import { ReplayWindow } from './replay-window.ts';
import type { SessionLimits } from './types.ts';

/**
 * One pair of transport keys from one handshake (WireGuard's "keypair"): our index the peer
 * addresses us by, the peer's index we address it by, explicit counters and a replay window.
 * Transport packets put the counter in the clear and use it as the Noise nonce (§5.1
 * SetNonce); the header is the AEAD's associated data, so the type byte (data or close) and
 * the indexes are authenticated too.
 */
export type Keypair = {
  localIndex: number;
  remoteIndex: number;
  send: CipherState;
  receive: CipherState;
  sendCounter: number;
  replay: ReplayWindow;
  createdMs: number;
  /** True when we initiated the handshake: the initiator rekeys by time (WireGuard §6.2). */
  initiator: boolean;
  /**
   * A responder may not send until the initiator has used the keys (key confirmation), and
   * an XX initiator resends its finish until the responder has. False until then.
   */
  confirmed: boolean;
  /** XX initiator only: message 3, resent until a packet arrives under these keys. */
  finish?: { packet: Uint8Array; resendAtMs: number };
};

export function createKeypair(
  ciphers: TransportCiphers,
  indexes: { local: number; remote: number },
  initiator: boolean,
  confirmed: boolean,
  nowMs: number,
): Keypair {
  return {
    localIndex: indexes.local,
    remoteIndex: indexes.remote,
    send: ciphers.send,
    receive: ciphers.receive,
    sendCounter: 0,
    replay: new ReplayWindow(),
    createdMs: nowMs,
    initiator,
    confirmed,
  };
}

/** Keys that may still send: confirmed, younger than rejectAfterMs, counter below the limit. */
export function canSend(keypair: Keypair | undefined, limits: SessionLimits, nowMs: number): keypair is Keypair {
  return (
    keypair !== undefined &&
    keypair.confirmed &&
    nowMs - keypair.createdMs < limits.rejectAfterMs &&
    keypair.sendCounter < limits.rejectAfterMessages
  );
}

export function sealTransport(keypair: Keypair, kind: 'transport' | 'close', plaintext: Uint8Array): Uint8Array {
  const counter = keypair.sendCounter++;
  return encodeTransport(kind, keypair.remoteIndex, counter, (header) => keypair.send.encryptPacket(counter, header, plaintext));
}

/** Replay check, decryption, then the window moves: throws a typed error for each way to fail. */
export function openTransport(keypair: Keypair, packet: TransportPacket, limits: SessionLimits, nowMs: number): Uint8Array {
  if (nowMs - keypair.createdMs >= limits.rejectAfterMs || packet.counter >= limits.rejectAfterMessages) {
    throw new RendezvousError('SESSION_KEYS_EXPIRED', `keys of index ${keypair.localIndex} are past their limits`);
  }
  const verdict = keypair.replay.check(packet.counter);
  if (verdict === 'replayed') throw new RendezvousError('SESSION_REPLAYED', `counter ${packet.counter} already received`);
  if (verdict === 'too-old') throw new RendezvousError('SESSION_TOO_OLD', `counter ${packet.counter} is behind the replay window`);
  let plaintext: Uint8Array;
  try {
    plaintext = keypair.receive.decryptPacket(packet.counter, packet.header, packet.ciphertext);
  } catch (error) {
    if (error instanceof RendezvousError && error.code === 'NOISE_DECRYPT_FAILED') {
      throw new RendezvousError('SESSION_DECRYPT_FAILED', `transport packet ${packet.counter} does not authenticate`, { cause: error });
    }
    throw error;
  }
  keypair.replay.accept(packet.counter);
  return plaintext;
}

export function wipeKeypair(keypair: Keypair): void {
  keypair.send.wipe();
  keypair.receive.wipe();
}
