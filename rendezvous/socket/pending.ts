import { bytesToHex, type TimerHandle } from '../../names/index.ts';
import { IdentityMismatchError, RendezvousError } from '../errors.ts';
import type { Address } from '../net/index.ts';
import type { PeerId, SessionCloseReason } from '../session/index.ts';
import type { Connection } from './types.ts';

/** An outbound handshake that connect() is waiting on. */
export type PendingConnect = {
  readonly peer: PeerId;
  readonly identityHex: string;
  readonly address: Address;
  readonly expected: Uint8Array;
  readonly pattern: 'ik' | 'xx';
  readonly timeoutMs: number;
  readonly promise: Promise<Connection>;
  readonly resolve: (connection: Connection) => void;
  readonly reject: (error: unknown) => void;
  timer: TimerHandle | undefined;
};

/**
 * The typed error a failed connect() rejects with. Each one names the address and the identity
 * that was expected; a mismatch also names the identity the peer presented instead.
 */
export function connectFailure(
  pending: Pick<PendingConnect, 'address' | 'expected' | 'pattern'> & { timeoutMs?: number },
  reason: SessionCloseReason,
  presentedIdentityKey?: Uint8Array,
): RendezvousError {
  const expected = bytesToHex(pending.expected);
  const what = `connect to ${pending.address} (${pending.pattern.toUpperCase()}, expecting identity ${expected})`;
  switch (reason) {
    case 'identity-mismatch': {
      const presented = presentedIdentityKey === undefined ? 'another identity' : `identity ${bytesToHex(presentedIdentityKey)}`;
      return new IdentityMismatchError('SOCKET_IDENTITY_MISMATCH', `${what}: the peer presented ${presented}, not the expected ${expected}`, pending.expected, presentedIdentityKey);
    }
    case 'bad-binding':
      return new RendezvousError('SOCKET_BAD_BINDING', `${what}: the peer's signature binding its static key to its identity does not verify`);
    case 'handshake-timeout': {
      const hint = pending.pattern === 'ik' ? '; if its static key changed, connect without remoteStaticKey (XX)' : '';
      const after = pending.timeoutMs === undefined ? '' : ` within ${pending.timeoutMs} ms`;
      return new RendezvousError('SOCKET_CONNECT_TIMEOUT', `${what}: no handshake answer${after}${hint}`);
    }
    default:
      return new RendezvousError('SOCKET_CLOSED', `${what}: the session closed (${reason}) before it was established`);
  }
}
