import { LOGIN_NAME_LENGTH_MAX, UTF8_BYTES_PER_CODE_POINT_MAX } from '../../names/index.ts';
import { createRegistry, defineMessage, type MessageOf } from './registry.ts';
import { arrayOf, bool, bytes, object, oneOf, optional, string, uint } from './schema.ts';

/**
 * Rendezvous messages: presence, NAT classification probes, introductions and relays
 * (docs/PROTOCOL.md "Rendezvous and hole punching"). Every message except the two NAT
 * probes rides the encrypted session between a wallet and an agent, so the agent knows
 * which wallet sent it; the NAT probes are plain msgpack datagrams on the agent's UDP
 * ports, because their answers must come from addresses the session is not bound to.
 *
 * Addresses travel as `host:port` strings (`[v6]:port` for IPv6); the codec checks only
 * their length, and their users parse them (rendezvous/net parseAddress) and drop bad ones.
 */

/** `[ffff:…:255.255.255.255]:65535` is 47 bytes; 64 leaves room and stays small. */
export const addressBytesMax = 64;
/** Private (LAN) addresses a wallet may advertise for same-NAT punching. */
export const privateAddressesMax = 4;
/** RFC 4787 §4.1 mapping behaviour; `none` when the observed address is the host's own. */
export const natMappings = ['none', 'endpoint-independent', 'endpoint-dependent', 'unknown'] as const;
/** RFC 4787 §5 filtering behaviour. */
export const natFilterings = ['endpoint-independent', 'address-dependent', 'address-port-dependent', 'unknown'] as const;
/** Which agent endpoint should answer a NAT probe (RFC 5780 §4.4's filtering tests). */
export const natProbeReplyFroms = ['same', 'other-port', 'other-address-port'] as const;
export const introductionRoles = ['caller', 'callee'] as const;
export const introductionRefusals = ['rate-limited', 'busy', 'not-here', 'bad-request'] as const;
export const relayRefusals = ['unknown-session', 'rate-limited', 'busy'] as const;

const address = () => string({ bytesMax: addressBytesMax });
const privateAddresses = () => arrayOf(address(), { lengthMax: privateAddressesMax });
const natProfile = () => object({ mapping: oneOf(natMappings), filtering: oneOf(natFilterings) });
/** Round-trip times travel in whole milliseconds, capped at a minute. */
const rttMs = () => uint({ max: 60_000 });
const sessionId = () => bytes({ length: 16 });

// ── Presence (wallet → its home agent, over the session) ────────────────────

/** A wallet announces itself online. The agent records the session's *observed* address. */
export const presenceLoginMessage = defineMessage('presence-login', {
  privateAddresses: privateAddresses(),
  profile: natProfile(),
  rttMs: rttMs(),
});

/** Sent every presenceKeepaliveMs: keeps the NAT mapping and the presence entry alive, measures RTT. */
export const presenceKeepaliveMessage = defineMessage('presence-keepalive', {
  sequence: uint({ max: 0xffff_ffff }),
  rttMs: rttMs(),
});

/**
 * The agent's answer to a login (sequence 0) or a keepalive: the address it observes, how
 * long the entry lives without news, and where its second address answers NAT probes.
 */
export const presenceOkMessage = defineMessage('presence-ok', {
  sequence: uint({ max: 0xffff_ffff }),
  observed: address(),
  expiresInMs: uint({ max: 86_400_000 }),
  probeAddress: optional(address()),
});

export const presenceLogoutMessage = defineMessage('presence-logout', {});

// ── NAT classification (plain datagrams to the agent's UDP ports) ───────────

/** `padding` makes the request at least as large as the reply: the agent never amplifies. */
export const natProbeMessage = defineMessage('nat-probe', {
  nonce: bytes({ length: 16 }),
  replyFrom: oneOf(natProbeReplyFroms),
  padding: bytes({ lengthMax: 64 }),
});

export const natProbeReplyMessage = defineMessage('nat-probe-reply', {
  nonce: bytes({ length: 16 }),
  replyFrom: oneOf(natProbeReplyFroms),
  observed: address(),
});

// ── Introductions (caller → the callee's agent; agent → both) ───────────────

/** `target` is `wallet@agent` (names/ login name rules); `rttMs` is the caller's RTT to this agent. */
export const introduceRequestMessage = defineMessage('introduce-request', {
  requestId: uint({ max: 0xffff_ffff }),
  target: string({ bytesMax: LOGIN_NAME_LENGTH_MAX * UTF8_BYTES_PER_CODE_POINT_MAX, normalization: 'NFC' }),
  privateAddresses: privateAddresses(),
  profile: natProfile(),
  rttMs: rttMs(),
});

/**
 * Sent to both sides at once. `secret` keys the punch packets' MAC; `peerKey` is the other
 * wallet's identity key, for the Noise IK session that runs over the punched path.
 * `requestId` is the caller's, or 0 for the callee. `profile` is the receiver's own NAT
 * profile as the agent knows it: both sides choose the punch strategy from the same two
 * profiles, so they agree even when one side's classification changed meanwhile.
 */
export const introduceOfferMessage = defineMessage('introduce-offer', {
  requestId: uint({ max: 0xffff_ffff }),
  sessionId: sessionId(),
  secret: bytes({ length: 32 }),
  role: oneOf(introductionRoles),
  profile: natProfile(),
  peerKey: bytes({ length: 32 }),
  peerObserved: address(),
  peerPrivateAddresses: privateAddresses(),
  peerProfile: natProfile(),
  peerRttMs: rttMs(),
  expiresInMs: uint({ max: 3_600_000 }),
});

/** The target is not online here: answered at once (mailboxes are another layer). */
export const introduceOfflineMessage = defineMessage('introduce-offline', {
  requestId: uint({ max: 0xffff_ffff }),
});

export const introduceRefusedMessage = defineMessage('introduce-refused', {
  requestId: uint({ max: 0xffff_ffff }),
  reason: oneOf(introductionRefusals),
});

// ── Accounts (wallet → its home agent, over the session) ───────────────────

export const accountRefusals = ['bad-name', 'not-here', 'taken', 'full', 'rate-limited'] as const;

/**
 * Log in as `login` (`wallet@agent`, this agent's name after the `@`). The first login of a
 * wallet name binds it to the session's identity key (first come); later logins of that name
 * must come from the same key. Sent before presence-login, which needs an account.
 */
export const accountLoginMessage = defineMessage('account-login', {
  login: string({ bytesMax: LOGIN_NAME_LENGTH_MAX * UTF8_BYTES_PER_CODE_POINT_MAX, normalization: 'NFC' }),
});

/** The session is logged in as `login`; `created` when this login bound the name just now. */
export const accountOkMessage = defineMessage('account-ok', {
  login: string({ bytesMax: LOGIN_NAME_LENGTH_MAX * UTF8_BYTES_PER_CODE_POINT_MAX, normalization: 'NFC' }),
  created: bool(),
});

/** `taken`: the name is bound to another key. The session stays open, not logged in. */
export const accountRefusedMessage = defineMessage('account-refused', {
  login: string({ bytesMax: LOGIN_NAME_LENGTH_MAX * UTF8_BYTES_PER_CODE_POINT_MAX, normalization: 'NFC' }),
  reason: oneOf(accountRefusals),
});

// ── Relays (either side → the introducing agent) ────────────────────────────

export const relayAllocateMessage = defineMessage('relay-allocate', {
  sessionId: sessionId(),
});

/** Sent to both sides. Relay datagrams are `0x52 ‖ token ‖ payload` to `relayAddress`. */
export const relayReadyMessage = defineMessage('relay-ready', {
  sessionId: sessionId(),
  token: bytes({ length: 16 }),
  relayAddress: address(),
  expiresInMs: uint({ max: 86_400_000 }),
  bytesMax: uint(),
});

export const relayRefusedMessage = defineMessage('relay-refused', {
  sessionId: sessionId(),
  reason: oneOf(relayRefusals),
});

/** Either side is done with the relay (a direct path took over); the agent frees it. */
export const relayReleaseMessage = defineMessage('relay-release', {
  sessionId: sessionId(),
});

export const rendezvousMessageDefinitions = [
  presenceLoginMessage,
  presenceKeepaliveMessage,
  presenceOkMessage,
  presenceLogoutMessage,
  natProbeMessage,
  natProbeReplyMessage,
  introduceRequestMessage,
  introduceOfferMessage,
  introduceOfflineMessage,
  introduceRefusedMessage,
  relayAllocateMessage,
  relayReadyMessage,
  relayRefusedMessage,
  relayReleaseMessage,
  accountLoginMessage,
  accountOkMessage,
  accountRefusedMessage,
] as const;

export type RendezvousMessage = MessageOf<(typeof rendezvousMessageDefinitions)[number]>;
export type RendezvousMessageType = RendezvousMessage['type'];
export type RendezvousMessageOf<Type extends RendezvousMessageType> = Extract<RendezvousMessage, { type: Type }>;
export type NatMapping = (typeof natMappings)[number];
export type NatFiltering = (typeof natFilterings)[number];
export type NatProbeReplyFrom = (typeof natProbeReplyFroms)[number];
export type IntroductionRole = (typeof introductionRoles)[number];
export type AccountRefusal = (typeof accountRefusals)[number];

/** The rendezvous messages alone, for code that speaks only these (encodeWith / decodeWith). */
export const rendezvousRegistry = createRegistry(rendezvousMessageDefinitions);
