import { retryHandshake, resendFinish } from './initiator.ts';
import { canSend } from './keypair.ts';
import { closePeer, sendKeepalive } from './peer.ts';
import { dropKeypair, removePeer, type Peer, type Step } from './state.ts';
import { ensureHandshake, maybeRekey, rekeyDueMs } from './transport.ts';

/**
 * Every timer of a peer, WireGuard style (whitepaper §6), computed from timestamps kept in
 * the state: a tick runs whatever is due, and `scheduleTimer` asks the shell for one tick
 * at the earliest next deadline.
 */
export function tickPeer(step: Step, peer: Peer): void {
  const { state, nowMs } = step;
  const { limits } = state;
  step.touched.add(peer);
  if (peer.handshake !== undefined && nowMs >= peer.handshake.resendAtMs) retryHandshake(step, peer, peer.handshake);
  if (!state.peers.has(peer.id)) return;
  if (peer.current?.finish !== undefined && nowMs >= peer.current.finish.resendAtMs) resendFinish(step, peer);
  if (!state.peers.has(peer.id)) return;
  if (peer.next !== undefined && nowMs - peer.next.createdMs >= unconfirmedLifetimeMs(step)) {
    dropKeypair(state, peer.next);
    peer.next = undefined;
  }
  if (peer.previous !== undefined && nowMs - peer.previous.createdMs >= limits.rejectAfterMs) {
    dropKeypair(state, peer.previous);
    peer.previous = undefined;
  }
  if (!peer.announced && peer.next === undefined && peer.current === undefined) {
    removePeer(state, peer); // responder keys never confirmed: nobody above knows this peer
    return;
  }
  if (peer.established && nowMs - peer.lastReceivedMs >= limits.idleTimeoutMs) {
    closePeer(step, peer, 'idle-timeout');
    return;
  }
  if (peer.established && !canSend(peer.current, limits, nowMs)) ensureHandshake(step, peer);
  maybeRekey(step, peer);
  if (peer.established && nowMs - peer.lastSentMs >= limits.keepaliveMs) sendKeepalive(step, peer);
}

/** An initiator resends every rekeyTimeoutMs, so three of those without confirmation is plenty. */
function unconfirmedLifetimeMs(step: Step): number {
  return 3 * step.state.limits.rekeyTimeoutMs;
}

/**
 * The earliest moment a tick has something to do. Each deadline is listed only while its
 * action would change something, so a past deadline can never pin the timer to "now".
 */
export function nextDeadlineMs(step: Step, peer: Peer): number | undefined {
  const { limits } = step.state;
  const { nowMs } = step;
  // Runs after every packet (the keepalive moves with each send): a running minimum, no array.
  let earliest = Infinity;
  let any = false;
  const consider = (deadlineMs: number): void => {
    any = true;
    if (deadlineMs < earliest) earliest = deadlineMs;
  };
  if (peer.handshake !== undefined) consider(peer.handshake.resendAtMs);
  if (peer.current?.finish !== undefined) consider(peer.current.finish.resendAtMs);
  if (peer.next !== undefined) consider(peer.next.createdMs + unconfirmedLifetimeMs(step));
  if (peer.previous !== undefined) consider(peer.previous.createdMs + limits.rejectAfterMs);
  if (peer.current !== undefined && peer.handshake === undefined && peer.next === undefined) {
    consider(rekeyDueMs(step, peer.current));
    const expiresMs = peer.current.createdMs + limits.rejectAfterMs;
    if (expiresMs > nowMs) consider(expiresMs);
  }
  if (peer.established) {
    consider(peer.lastReceivedMs + limits.idleTimeoutMs);
    if (canSend(peer.current, limits, nowMs)) consider(peer.lastSentMs + limits.keepaliveMs);
  }
  return any ? Math.max(nowMs, earliest) : undefined;
}

export function scheduleTimer(step: Step, peer: Peer): void {
  if (step.state.peers.get(peer.id) !== peer) return;
  const atMs = nextDeadlineMs(step, peer);
  if (atMs === undefined || atMs === peer.timerAtMs) return;
  peer.timerAtMs = atMs;
  step.effects.push({ kind: 'timer', peer: peer.id, atMs });
}
