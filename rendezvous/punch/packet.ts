import { equalBytes, expectBytes, hkdfSha256, hmacSha256 } from '../../names/index.ts';
import { punchMacBytes, punchPacketBytes, punchSecretBytes, punchSessionIdBytes } from '../constants.ts';
import { RendezvousError } from '../errors.ts';
import type { IntroductionRole } from './types.ts';

/**
 * Punch packets (docs/PROTOCOL.md "Punch packets"): a fixed 42-byte layout, big-endian.
 *
 *   0   1  type      0x50 probe | 0x51 ack
 *   1   1  flags     bit 0: the sender's role (0 caller, 1 callee); bit 1: nominated
 *                     (the sender has chosen this path; ICE's USE-CANDIDATE); bits 2–7 zero
 *   2  16  session   the introduction's session id
 *  18   4  sequence  the sender's packet number, unique per introduction and side
 *  22   4  echo      in an ack, the sequence of the probe it answers; 0 in a probe
 *  26  16  mac       HMAC-SHA256(macKey, bytes 0..25), first 16 bytes
 *
 * macKey = HKDF-SHA256(secret, salt = session id, info = "parley punch v1 mac"). Only the two
 * introduced wallets (and the agent that introduced them) know the secret, so a stray or
 * forged packet cannot make either side adopt a path; the Noise IK session that follows
 * authenticates the peer end to end. The first byte keeps punch packets apart from session
 * packets (0x01–0x08), relay datagrams (0x52) and plain msgpack maps (0x80–0x8f).
 */
export const punchPacketTypes = { probe: 0x50, ack: 0x51 } as const;
export type PunchPacketKind = keyof typeof punchPacketTypes;

export interface PunchPacket {
  readonly kind: PunchPacketKind;
  readonly role: IntroductionRole;
  /** Sent on the path the sender chose; the controlling side's nomination is followed by the other. */
  readonly nominated: boolean;
  readonly sessionId: Uint8Array;
  readonly sequence: number;
  readonly echo: number;
}

const macInfo = new TextEncoder().encode('parley punch v1 mac');
const macCoveredBytes = punchPacketBytes - punchMacBytes;

export function derivePunchMacKey(secret: Uint8Array, sessionId: Uint8Array): Uint8Array {
  expectBytes(secret, punchSecretBytes, 'punch secret');
  expectBytes(sessionId, punchSessionIdBytes, 'punch session id');
  return hkdfSha256(secret, sessionId, macInfo, 32);
}

export function encodePunchPacket(packet: PunchPacket, macKey: Uint8Array): Uint8Array {
  expectBytes(packet.sessionId, punchSessionIdBytes, 'punch session id');
  if (!isU32(packet.sequence) || !isU32(packet.echo)) throw new RendezvousError('PUNCH_BAD_INPUT', `punch: sequence and echo must be u32`);
  const bytes = new Uint8Array(punchPacketBytes);
  const view = new DataView(bytes.buffer);
  bytes[0] = punchPacketTypes[packet.kind];
  bytes[1] = (packet.role === 'callee' ? 1 : 0) | (packet.nominated ? 2 : 0);
  bytes.set(packet.sessionId, 2);
  view.setUint32(18, packet.sequence);
  view.setUint32(22, packet.echo);
  bytes.set(punchMac(macKey, bytes.subarray(0, macCoveredBytes)), macCoveredBytes);
  return bytes;
}

/**
 * Checks and decodes a punch packet for one introduction. Throws a RendezvousError with the
 * reason (the planner turns it into a logged drop). The MAC is checked in constant time,
 * after the cheap length and session checks.
 */
export function decodePunchPacket(bytes: Uint8Array, sessionId: Uint8Array, macKey: Uint8Array): PunchPacket {
  if (bytes.length !== punchPacketBytes) throw new RendezvousError('PUNCH_BAD_LENGTH', `punch: ${bytes.length} bytes, expected ${punchPacketBytes}`);
  const kind = bytes[0] === punchPacketTypes.probe ? 'probe' : bytes[0] === punchPacketTypes.ack ? 'ack' : undefined;
  if (kind === undefined) throw new RendezvousError('PUNCH_UNKNOWN_TYPE', `punch: type 0x${bytes[0]!.toString(16)}`);
  const flags = bytes[1]!;
  if ((flags & 0xfc) !== 0) throw new RendezvousError('PUNCH_BAD_FLAGS', `punch: reserved flag bits 0x${flags.toString(16)}`);
  if (!equalBytes(bytes.subarray(2, 18), sessionId)) throw new RendezvousError('PUNCH_WRONG_SESSION', 'punch: another introduction');
  const expected = punchMac(macKey, bytes.subarray(0, macCoveredBytes));
  if (!equalBytes(bytes.subarray(macCoveredBytes), expected)) throw new RendezvousError('PUNCH_BAD_MAC', 'punch: the MAC does not verify');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { kind, role: (flags & 1) === 1 ? 'callee' : 'caller', nominated: (flags & 2) === 2, sessionId: bytes.slice(2, 18), sequence: view.getUint32(18), echo: view.getUint32(22) };
}

/** Whether a datagram is a punch packet at all (for the socket shell's demultiplexer). */
export function isPunchPacket(bytes: Uint8Array): boolean {
  return bytes.length > 0 && (bytes[0] === punchPacketTypes.probe || bytes[0] === punchPacketTypes.ack);
}

function punchMac(macKey: Uint8Array, covered: Uint8Array): Uint8Array {
  return hmacSha256(macKey, covered).subarray(0, punchMacBytes);
}

function isU32(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 0xffff_ffff;
}
