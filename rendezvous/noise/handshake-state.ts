import { concatBytes } from '../../names/index.ts';
import { RendezvousError } from '../errors.ts';
import type { CipherState } from './cipher-state.ts';
import { NOISE_DH_BYTES, type NoiseDh, type NoiseKeyPair } from './dh.ts';
import type { Token } from './patterns.ts';
import { parseProtocolName, type NoiseProtocol } from './protocol.ts';
import { SymmetricState } from './symmetric-state.ts';

/** Noise rev 34 §3: "Noise messages … are limited to 65535 bytes in length." */
export const NOISE_MESSAGE_BYTES_MAX = 65_535;
const TAG_BYTES = 16;

export type HandshakeOptions = {
  protocol: NoiseProtocol | string;
  initiator: boolean;
  prologue?: Uint8Array;
  localStatic?: NoiseKeyPair;
  /** Fixed ephemeral, for test vectors and golden bytes only. */
  localEphemeral?: NoiseKeyPair;
  /** The peer's static public key, for patterns where it is known in advance (IK, XK, NK…). */
  remoteStatic?: Uint8Array;
  dh: NoiseDh;
};

/** The transport CipherStates of one side: `send` encrypts to the peer, `receive` decrypts from it. */
export type TransportCiphers = { send: CipherState; receive: CipherState };

/**
 * Noise HandshakeState (rev 34 §5.3). No I/O: writeMessage returns bytes, readMessage takes
 * them. Unlike the spec's abort-on-error, a failed readMessage leaves the state exactly as
 * it was, so a forged packet cannot spoil a handshake in progress.
 */
export class HandshakeState {
  readonly protocol: NoiseProtocol;
  readonly initiator: boolean;
  #symmetric: SymmetricState;
  #dh: NoiseDh;
  #messageIndex = 0;
  #localStatic: NoiseKeyPair | undefined;
  #localEphemeral: NoiseKeyPair | undefined;
  #remoteStatic: Uint8Array | undefined;
  #remoteEphemeral: Uint8Array | undefined;

  constructor(options: HandshakeOptions) {
    this.protocol = typeof options.protocol === 'string' ? parseProtocolName(options.protocol) : options.protocol;
    this.initiator = options.initiator;
    this.#dh = options.dh;
    this.#localStatic = options.localStatic;
    this.#localEphemeral = options.localEphemeral;
    this.#remoteStatic = options.remoteStatic === undefined ? undefined : new Uint8Array(options.remoteStatic);
    this.#symmetric = SymmetricState.initialize(this.protocol.hash, this.protocol.name);
    this.#symmetric.mixHash(options.prologue ?? new Uint8Array(0));
    this.#mixPreMessages();
  }

  /** §7.1: pre-message public keys are hashed initiator first, then responder. */
  #mixPreMessages(): void {
    const { pattern } = this.protocol;
    if (pattern.initiatorPreStatic) this.#symmetric.mixHash(this.initiator ? this.#requireLocalStatic().publicKey : this.#requireRemoteStatic());
    if (pattern.responderPreStatic) this.#symmetric.mixHash(this.initiator ? this.#requireRemoteStatic() : this.#requireLocalStatic().publicKey);
  }

  get isComplete(): boolean {
    return this.#messageIndex >= this.protocol.pattern.messages.length;
  }

  /** True when the next handshake message is ours to write. */
  get isMyTurn(): boolean {
    return !this.isComplete && (this.#messageIndex % 2 === 0) === this.initiator;
  }

  /** §5.3 GetHandshakeHash(): h, for channel binding. */
  get handshakeHash(): Uint8Array {
    return this.#symmetric.handshakeHash;
  }

  get remoteStaticKey(): Uint8Array | undefined {
    return this.#remoteStatic === undefined ? undefined : new Uint8Array(this.#remoteStatic);
  }

  /** §5.3 WriteMessage(payload, message_buffer). */
  writeMessage(payload: Uint8Array): Uint8Array {
    if (!this.isMyTurn) throw new RendezvousError('NOISE_OUT_OF_TURN', 'noise: not our turn to write');
    const parts: Uint8Array[] = [];
    for (const token of this.#currentTokens()) {
      if (token === 'e') {
        this.#localEphemeral ??= this.#dh.generateKeyPair();
        parts.push(this.#localEphemeral.publicKey);
        this.#symmetric.mixHash(this.#localEphemeral.publicKey);
      } else if (token === 's') {
        parts.push(this.#symmetric.encryptAndHash(this.#requireLocalStatic().publicKey));
      } else {
        this.#mixDh(token);
      }
    }
    parts.push(this.#symmetric.encryptAndHash(payload));
    const message = concatBytes(...parts);
    if (message.length > NOISE_MESSAGE_BYTES_MAX) throw new RendezvousError('NOISE_BAD_MESSAGE_LENGTH', `noise: message of ${message.length} bytes`);
    this.#messageIndex++;
    return message;
  }

  /** §5.3 ReadMessage(message, payload_buffer): returns the payload; all or nothing. */
  readMessage(message: Uint8Array): Uint8Array {
    if (this.isComplete || this.isMyTurn) throw new RendezvousError('NOISE_OUT_OF_TURN', 'noise: not our turn to read');
    if (message.length > NOISE_MESSAGE_BYTES_MAX) throw new RendezvousError('NOISE_BAD_MESSAGE_LENGTH', `noise: message of ${message.length} bytes`);
    const saved = { symmetric: this.#symmetric.clone(), remoteStatic: this.#remoteStatic, remoteEphemeral: this.#remoteEphemeral };
    try {
      const payload = this.#readTokens(message);
      this.#messageIndex++;
      saved.symmetric.wipe();
      return payload;
    } catch (error) {
      this.#symmetric.wipe();
      this.#symmetric = saved.symmetric;
      this.#remoteStatic = saved.remoteStatic;
      this.#remoteEphemeral = saved.remoteEphemeral;
      throw error;
    }
  }

  #readTokens(message: Uint8Array): Uint8Array {
    let offset = 0;
    const take = (length: number): Uint8Array => {
      if (offset + length > message.length) {
        throw new RendezvousError('NOISE_BAD_MESSAGE_LENGTH', `noise: message of ${message.length} bytes is too short for its tokens`);
      }
      offset += length;
      return message.subarray(offset - length, offset);
    };
    for (const token of this.#currentTokens()) {
      if (token === 'e') {
        this.#remoteEphemeral = new Uint8Array(take(NOISE_DH_BYTES));
        this.#symmetric.mixHash(this.#remoteEphemeral);
      } else if (token === 's') {
        const length = this.#symmetric.hasKey() ? NOISE_DH_BYTES + TAG_BYTES : NOISE_DH_BYTES;
        this.#remoteStatic = this.#symmetric.decryptAndHash(take(length));
      } else {
        this.#mixDh(token);
      }
    }
    return this.#symmetric.decryptAndHash(message.subarray(offset));
  }

  /** §5.3: ee, es, se, ss. "es" is DH(initiator's e, responder's s), whichever side computes it. */
  #mixDh(token: Exclude<Token, 'e' | 's'>): void {
    const local = (kind: 'e' | 's'): NoiseKeyPair => (kind === 'e' ? this.#requireLocalEphemeral() : this.#requireLocalStatic());
    const remote = (kind: 'e' | 's'): Uint8Array => (kind === 'e' ? this.#requireRemoteEphemeral() : this.#requireRemoteStatic());
    const initiatorKind = token[0] as 'e' | 's';
    const responderKind = token[1] as 'e' | 's';
    const [mine, theirs] = this.initiator ? [initiatorKind, responderKind] : [responderKind, initiatorKind];
    const shared = this.#dh.dh(local(mine).secretKey, remote(theirs));
    this.#symmetric.mixKey(shared);
    shared.fill(0);
  }

  /** §5.3 Split(), oriented for this side; the handshake secrets are wiped. */
  split(): TransportCiphers {
    if (!this.isComplete) throw new RendezvousError('NOISE_OUT_OF_TURN', 'noise: split before the handshake is complete');
    const [initiatorToResponder, responderToInitiator] = this.#symmetric.split();
    this.#symmetric.wipe();
    this.#localEphemeral?.secretKey.fill(0);
    return this.initiator
      ? { send: initiatorToResponder, receive: responderToInitiator }
      : { send: responderToInitiator, receive: initiatorToResponder };
  }

  #currentTokens(): readonly Token[] {
    return this.protocol.pattern.messages[this.#messageIndex] ?? [];
  }

  #requireLocalStatic(): NoiseKeyPair {
    if (this.#localStatic === undefined) throw new RendezvousError('NOISE_MISSING_KEY', `noise ${this.protocol.name}: needs a local static key`);
    return this.#localStatic;
  }

  #requireLocalEphemeral(): NoiseKeyPair {
    if (this.#localEphemeral === undefined) throw new RendezvousError('NOISE_MISSING_KEY', 'noise: no local ephemeral yet');
    return this.#localEphemeral;
  }

  #requireRemoteStatic(): Uint8Array {
    if (this.#remoteStatic === undefined) throw new RendezvousError('NOISE_MISSING_KEY', `noise ${this.protocol.name}: needs the remote static key`);
    return this.#remoteStatic;
  }

  #requireRemoteEphemeral(): Uint8Array {
    if (this.#remoteEphemeral === undefined) throw new RendezvousError('NOISE_MISSING_KEY', 'noise: no remote ephemeral yet');
    return this.#remoteEphemeral;
  }
}
