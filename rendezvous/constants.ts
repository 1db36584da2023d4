import assert from 'node:assert/strict';

/**
 * Every limit of rendezvous/, grouped by layer, with startup checks of how they relate.
 * A broken relation is a bug in this file: the module throws at load.
 */

const KiB = 1024;
const MiB = 1024 * KiB;

// ── Wire codec (rendezvous/wire/) ────────────────────────────────────────────
// Application messages ride the reliable channel, which carries payloads up to 1 MiB;
// the encoded envelope adds a few field headers on top, hence the headroom.

/** Largest payload (bin or string) an application message may carry. */
export const wirePayloadBytesMax = 1 * MiB;
/** Room for the envelope and the other fields next to a full-size payload. */
export const wireEnvelopeHeadroomBytes = 4 * KiB;
/** Largest encoded message; checked before any other parsing. */
export const wireMessageBytesMax = wirePayloadBytesMax + wireEnvelopeHeadroomBytes;
/** Deepest container nesting; the envelope map itself is depth 1. */
export const wireDepthMax = 8;
/** Most values in one message, counting containers, map keys and scalars. */
export const wireElementCountMax = 65_536;
export const wireArrayLengthMax = 4096;
/** Most entries in one map; messages are records with named fields, not dictionaries. */
export const wireMapSizeMax = 32;
export const wireStringBytesMax = wirePayloadBytesMax;
/** Map keys are field names: short, so the duplicate-key check stays cheap. */
export const wireKeyBytesMax = 32;
export const wireBinBytesMax = wirePayloadBytesMax;

function checkWireLimits(): void {
  assert.ok(Number.isSafeInteger(wireMessageBytesMax) && wireMessageBytesMax <= 0xffff_ffff, 'wire: sizes fit the 32-bit msgpack length headers');
  assert.ok(wireBinBytesMax + wireEnvelopeHeadroomBytes <= wireMessageBytesMax, 'wire: a full-size bin fits in a message');
  assert.ok(wireStringBytesMax + wireEnvelopeHeadroomBytes <= wireMessageBytesMax, 'wire: a full-size string fits in a message');
  assert.ok(wireKeyBytesMax <= wireStringBytesMax, 'wire: a key is a string');
  assert.ok(wireDepthMax >= 2 && wireDepthMax <= 64, 'wire: the envelope plus one nested record, and a stack the walker can keep');
  assert.ok(wireMapSizeMax >= 2, 'wire: the envelope holds at least v and type');
  // every element takes at least one byte, and a limit that can never bind is a mistake
  assert.ok(wireElementCountMax <= wireMessageBytesMax, 'wire: the element count can bind');
  assert.ok(wireArrayLengthMax < wireElementCountMax, 'wire: one full array fits in the element budget');
  assert.ok(2 * wireMapSizeMax < wireElementCountMax, 'wire: one full map fits in the element budget');
}

checkWireLimits();

// ── Sessions (rendezvous/session/) ───────────────────────────────────────────
// Timers and limits follow WireGuard's (whitepaper §6.1 "Protocol constants"); where ours
// differ the reason is given. docs/DECISIONS.md "Sessions" has the measurements.

/** Largest datagram a session sends or accepts: QUIC's safe UDP payload (RFC 9000 §14). */
export const sessionDatagramBytesMax = 1200;
/** Transport header: type (1) ‖ receiver index (4) ‖ counter (8). */
export const sessionTransportHeaderBytes = 13;
/** ChaCha20-Poly1305 tag after every transport plaintext. */
export const sessionTagBytes = 16;
/** Largest plaintext the channel layer may hand the session for one datagram (1171 B). */
export const sessionPayloadBytesMax = sessionDatagramBytesMax - sessionTransportHeaderBytes - sessionTagBytes;

/** The initiator of the current keys starts a new handshake once they are this old. */
export const sessionRekeyAfterMs = 120_000;
/** Keys this old are never used again, sending or receiving. */
export const sessionRejectAfterMs = 180_000;
/** WireGuard uses 2^60 and 2^64 − 2^13 − 1; ours stay exact in a JavaScript number (2^53). */
export const sessionRekeyAfterMessages = 2 ** 50;
export const sessionRejectAfterMessages = 2 ** 52;
/** Retransmit a handshake initiation after this long without a response (plus jitter). */
export const sessionRekeyTimeoutMs = 5_000;
export const sessionRekeyTimeoutJitterMs = 333;
/** Give up on a handshake after this long and close the session. */
export const sessionRekeyAttemptMs = 90_000;
/** Send a keepalive after this long without sending: below 25 s, as NAT mappings commonly expire at 30 s. */
export const sessionKeepaliveMs = 20_000;
/** Close a session after this long without receiving anything authenticated (3.5 keepalives). */
export const sessionIdleTimeoutMs = 70_000;

/** The replay bitmap (RFC 6479): 4096 bits in 32-bit words, one word kept free for the ring. */
export const sessionReplayBitmapBits = 4096;
export const sessionReplayWindowPackets = sessionReplayBitmapBits - 32;

/** Payloads held while no keys can send (first handshake, or keys expired); oldest dropped. */
export const sessionQueuedPayloadsMax = 128;

/** The responder's cookie secret rotates this often; a cookie is trusted this long minus the latency. */
export const sessionCookieSecretMs = 120_000;
export const sessionCookieLatencyMs = 5_000;
/** Initiations per second (passing mac1) above which a responder is under load: about the cold handshake rate in docs/DECISIONS.md "Sessions". */
export const sessionUnderLoadInitiationsPerSecond = 250;
/** Under-load mode is held at least this long after the rate drops. */
export const sessionUnderLoadHoldMs = 1_000;
/** Per-source token bucket for initiations under load (WireGuard ratelimiter.c: 20/s, burst 5). */
export const sessionInitiationsPerSecondPerSource = 20;
export const sessionInitiationBurstPerSource = 5;
export const sessionRateLimiterSourcesMax = 16_384;
/** Responses sent but not yet confirmed (IK) or finished (XX); more count as load. */
export const sessionHalfOpenHandshakesMax = 4_096;
/** Greatest IK timestamp seen per initiator static key, least recently used evicted. */
export const sessionTimestampTableMax = 65_536;
/** Verified (static key, identity) bindings kept so repeat handshakes skip the Schnorr verify. */
export const sessionBindingCacheMax = 65_536;
/** TAI64N timestamps are rounded down to 2^24 ns (~16.8 ms) so they do not leak a precise clock. */
export const sessionTimestampGranularityNs = 2 ** 24;

function checkSessionLimits(): void {
  assert.ok(sessionPayloadBytesMax === 1171, 'session: a full transport packet is exactly one 1200-byte datagram');
  assert.ok(sessionKeepaliveMs < 25_000, 'session: keepalive below the 25 s NAT bound');
  assert.ok(sessionIdleTimeoutMs > 3 * sessionKeepaliveMs, 'session: idle timeout tolerates lost keepalives');
  assert.ok(sessionRekeyAfterMs < sessionRejectAfterMs && sessionRekeyTimeoutMs < sessionRekeyAttemptMs, 'session: rekey timers ordered');
  assert.ok(sessionRekeyAfterMessages < sessionRejectAfterMessages, 'session: rekey by count before reject');
  assert.ok(Number.isSafeInteger(sessionRejectAfterMessages + sessionReplayWindowPackets), 'session: counters stay exact numbers');
  assert.ok(sessionReplayWindowPackets >= 2048 && sessionReplayBitmapBits % 32 === 0, 'session: replay window of at least 2048 packets');
  assert.ok(sessionCookieLatencyMs < sessionCookieSecretMs, 'session: a cookie lives longer than its latency allowance');
  assert.ok(sessionInitiationBurstPerSource >= 1 && sessionInitiationsPerSecondPerSource > 0, 'session: the rate limiter lets something through');
}

checkSessionLimits();

// ── Reliable channel (rendezvous/channel/) ──────────────────────────────────
// Defaults of ChannelConfig (channel/config.ts checks a config against these relations too).
// RTO and loss-detection values cite RFC 6298 and RFC 9002; docs/DECISIONS.md says why.

/** Largest message on a channel: a full-size wire message (envelope included) must fit. */
export const channelMessageBytesMax = wireMessageBytesMax;
/** Plaintext bytes per datagram the session carries for the channel: a 1200-byte UDP payload minus session header and tag. */
export const channelDatagramPayloadBytesDefault = sessionPayloadBytesMax;
/** Smaller payloads would make a full-size message need too many fragments. */
export const channelDatagramPayloadBytesMin = 256;
/** Room kept in each full-size fragment's datagram so an ACK frame can ride along. */
export const channelAckReserveBytes = 48;
/** Most ACK ranges in one ACK frame, sent or accepted. */
export const channelAckRangesMax = 64;
/** The receive window, in full-size messages: two, so one can arrive while the last is read. */
export const channelReceiveWindowMessages = 2;
/** Send queue limit: bytes accepted by send() and not yet acknowledged. */
export const channelSendQueueBytesMax = 4 * MiB;
/** Each queued message is charged this much on top of its length, so empty messages cannot queue without bound. */
export const channelMessageOverheadBytes = 64;
/** Unreliable datagrams waiting to go out; more are refused. */
export const channelUnreliableQueueMax = 32;
/** An ACK is sent after this many ack-eliciting datagrams, or after channelAckDelayMaxMs (RFC 9000 §13.2.2). */
export const channelAckEveryDatagrams = 2;
export const channelAckDelayMaxMs = 5;
/** RFC 6298 §2: initial RTO 1 s, clock granularity G; minimum 200 ms (Linux) instead of §2.4's 1 s. */
export const channelRtoInitialMs = 1000;
export const channelRtoMinMs = 200;
export const channelRtoMaxMs = 60_000;
export const channelClockGranularityMs = 1;
/** RFC 9002 §6.1: lost when 3 later datagrams were acknowledged, or 9/8 RTT passed since a later one was. */
export const channelLossPacketThreshold = 3;
export const channelLossTimeThreshold = 9 / 8;
/** NewReno (RFC 9002 §7.2): initial and minimum congestion window, in full datagrams. */
export const channelInitialWindowDatagrams = 10;
export const channelMinimumWindowDatagrams = 2;
export const channelCongestionWindowBytesMax = 16 * MiB;
/** Pacing (RFC 9002 §7.7): rate = gain × cwnd / smoothed RTT; at most this many datagrams back to back. */
export const channelPacingGain = 1.25;
export const channelPacingBurstDatagrams = 10;
/** A sender blocked by a closed receive window probes with PING, backing off up to this interval. */
export const channelProbeIntervalMaxMs = 2000;

function checkChannelLimits(): void {
  assert.ok(channelMessageBytesMax >= wireMessageBytesMax, 'channel: a full-size wire message fits in one channel message');
  assert.ok(channelMessageBytesMax < 2 ** 30, 'channel: a message length fits a 4-byte varint');
  assert.ok(channelDatagramPayloadBytesMin <= channelDatagramPayloadBytesDefault && channelDatagramPayloadBytesDefault <= sessionPayloadBytesMax, 'channel: a channel datagram fits one session transport packet');
  assert.ok(channelAckReserveBytes + 64 <= channelDatagramPayloadBytesMin, 'channel: a minimum datagram has room for an ACK and a fragment');
  assert.ok(channelReceiveWindowMessages >= 1, 'channel: a full-size message fits in the receive window, or it could never complete');
  assert.ok(channelSendQueueBytesMax >= channelMessageBytesMax + channelMessageOverheadBytes, 'channel: an empty send queue accepts a full-size message');
  assert.ok(channelRtoMinMs <= channelRtoInitialMs && channelRtoInitialMs <= channelRtoMaxMs, 'channel: RTO bounds are ordered');
  assert.ok(channelRtoMaxMs >= 60_000, 'channel: RFC 6298 §2.5, a maximum RTO of at least 60 s');
  assert.ok(channelAckDelayMaxMs < channelRtoMinMs, 'channel: a delayed ACK arrives before the retransmission timer fires');
  assert.ok(channelMinimumWindowDatagrams >= 2 && channelMinimumWindowDatagrams <= channelInitialWindowDatagrams, 'channel: window bounds are ordered');
  assert.ok(channelPacingGain >= 1 && channelPacingBurstDatagrams >= 1, 'channel: pacing never throttles below the congestion window');
  assert.ok(channelPacingBurstDatagrams < 32, 'channel: a burst stays under the 32 datagrams libuv reads per wake-up');
  assert.ok(channelAckRangesMax >= 1 && channelLossPacketThreshold >= 1, 'channel: at least one ACK range and a loss threshold');
}

checkChannelLimits();

// ── Datagram transports (rendezvous/net/) ───────────────────────────────────

/** Largest UDP payload over IPv4 (65,535 − 8 UDP − 20 IP). */
export const netDatagramBytesMax = 65_507;
/** SO_RCVBUF / SO_SNDBUF: 4 MiB took receive loss at full speed from 3–9% to 0% here (docs/DECISIONS.md). */
export const netSocketBufferBytes = 4 * MiB;

/**
 * The native batched path (rendezvous/native/, docs/DECISIONS.md "Socket layer"): at most this
 * many datagrams wait for the end of an event-loop turn before a flush is forced (one sendmmsg).
 */
export const netSendBatchDatagramsMax = 256;
/** recvmmsg slots: each holds one datagram, or with UDP_GRO several coalesced (at most 64 KiB). */
export const netReceiveBatchMessages = 16;
export const netReceiveSlotBytes = 65_536;

function checkNetLimits(): void {
  assert.ok(netReceiveSlotBytes >= netDatagramBytesMax, 'net: a receive slot holds the largest datagram');
  assert.ok(netSendBatchDatagramsMax >= channelPacingBurstDatagrams, 'net: a pacing burst fits one native send batch');
  assert.ok(channelDatagramPayloadBytesDefault <= netDatagramBytesMax, 'net: a channel datagram fits one UDP datagram');
  assert.ok(netSocketBufferBytes >= channelPacingBurstDatagrams * 1200 * 32, 'net: the socket buffer holds many bursts');
}

checkNetLimits();

// ── Hole punching and rendezvous, client side (rendezvous/punch/) ───────────
// docs/DECISIONS.md "Rendezvous and hole punching" gives the reasons and the lab measurements.

/** Punch packet fields: the introduction's session id and secret, and the truncated HMAC. */
export const punchSessionIdBytes = 16;
export const punchSecretBytes = 32;
export const punchMacBytes = 16;
/** type (1) ‖ flags (1) ‖ session id (16) ‖ sequence (4) ‖ echo (4) ‖ mac (16). */
export const punchPacketBytes = 1 + 1 + punchSessionIdBytes + 4 + 4 + punchMacBytes;
/** Punch packets must stay tiny: 256 sockets and 2048 probes of them go out at once. */
export const punchPacketBytesMax = 64;
/**
 * Opening packets die before the far NAT: TTL 1 leaves an open host and dies at the first
 * router; TTL 2 crosses our own NAT (which records the mapping) and dies at the next hop.
 */
export const punchOpenerTtlOpen = 1;
export const punchOpenerTtlBehindNat = 2;
/** Every other punch packet: far enough for any path. */
export const punchNormalTtl = 64;
/** Low-TTL openers per target at the start (two, in case the LAN drops one). */
export const punchOpenerCount = 2;
/** Normal probes start this long after the openers, so the peer's openers have left its NAT. */
export const punchOpenerLeadMs = 50;
/** Probe retransmission: first interval, doubling up to the maximum. */
export const punchProbeIntervalMs = 50;
export const punchProbeIntervalMaxMs = 400;
/** The DCUtR-style start alignment never waits longer than this (bounds a lying RTT). */
export const punchStartDelayMaxMs = 1_000;
/** A cone↔cone (or reachable) punch gives up this long after it starts: then relay. */
export const punchDirectDeadlineMs = 3_000;
/** Addresses probed per introduction: observed + private + ones learned from the peer's probes. */
export const punchTargetsMax = 8;
export const punchPrivateAddressesMax = 4;
/** Nominated probes the side that chose a path sends on it, so the other side converges (loss-tolerant). */
export const punchNominations = 3;
/** After success or failure, late probes are still answered this long (the peer's ack may be lost). */
export const punchLingerMs = 5_000;
/** Birthday probing (Tailscale's numbers; DESIGN.md measured 8/8 in 150–180 ms in the lab). */
export const punchBirthdaySockets = 256;
/** 1024 random ports hit one of 256 mappings with p ≈ 98.3%; 2048 with p ≈ 99.97%. */
export const punchBirthdayProbesMax = 2048;
/** Pacing: a burst over ~32 datagrams per loop turn loses half on this machine (DESIGN.md). */
export const punchBirthdayBatch = 16;
export const punchBirthdayBatchIntervalMs = 4;
/** Linux NAT source ports for --random-fully: 1024–65535. */
export const punchBirthdayPortMin = 1024;
export const punchBirthdayPortMax = 65_535;
/** The spraying side starts after the many-socket side's openers are out, plus the usual lead. */
export const punchBirthdaySprayDelayMs = Math.ceil(punchBirthdaySockets / punchBirthdayBatch) * punchBirthdayBatchIntervalMs + punchOpenerLeadMs;
export const punchBirthdayDeadlineMs = 6_000;
/** A strategy that is relay from the start still probes private (LAN) addresses this long. */
export const punchLanOnlyDeadlineMs = 1_000;

/** NAT classification (RFC 5780-style, against the agent's two addresses and two ports). */
export const natProbeNonceBytes = 16;
export const natProbeRetryMs = 250;
export const natProbeAttempts = 4;
/** After the plain answer arrives, wait this long for the answers sent from other endpoints. */
export const natFilteringWaitMs = 600;
export const natClassifyDeadlineMs = 3_000;
/** A NAT probe is padded to this size, so the agent's reply is never larger (no amplification). */
export const natProbeRequestBytes = 128;

/** Presence keepalive: below the 25–30 s NAT mapping timeout, like the session's. */
export const presenceKeepaliveMs = 20_000;
/** RTT assumed before any measurement. */
export const rendezvousRttDefaultMs = 200;

/** Relay datagrams: 0x52 ‖ token (16) ‖ payload. A full session datagram then takes 1217 B. */
export const relayTokenBytes = 16;
export const relayHeaderBytes = 1 + relayTokenBytes;
/** Once relayed, a later punch is tried after each of these delays, to upgrade to direct. */
export const pathRepunchDelaysMs: readonly number[] = [15_000, 60_000, 300_000];

function checkPunchLimits(): void {
  assert.ok(punchPacketBytes <= punchPacketBytesMax, 'punch: packets are at most 64 bytes');
  assert.ok(punchOpenerTtlOpen < punchOpenerTtlBehindNat && punchOpenerTtlBehindNat < punchNormalTtl, 'punch: TTLs ordered');
  assert.ok(punchProbeIntervalMs <= punchProbeIntervalMaxMs && punchOpenerLeadMs < punchDirectDeadlineMs, 'punch: timers ordered');
  assert.ok(punchPrivateAddressesMax + 1 < punchTargetsMax, 'punch: room for a learned address next to observed and private ones');
  assert.ok(punchBirthdayBatch < 32, 'punch: a batch stays under the 32 datagrams libuv reads per wake-up');
  assert.ok(punchBirthdayProbesMax <= punchBirthdayPortMax - punchBirthdayPortMin + 1, 'punch: probes go to distinct ports');
  const sprayMs = (punchBirthdayProbesMax / punchBirthdayBatch) * punchBirthdayBatchIntervalMs;
  assert.ok(punchBirthdaySprayDelayMs + sprayMs < punchBirthdayDeadlineMs, 'punch: the whole spray fits before the deadline');
  assert.ok(punchBirthdayDeadlineMs <= 10_000, 'punch: one symmetric side connects within the 10 s budget (issue 4)');
  assert.ok(natProbeRetryMs * natProbeAttempts + natFilteringWaitMs <= natClassifyDeadlineMs, 'nat: retries fit the deadline');
  assert.ok(presenceKeepaliveMs < 25_000, 'presence: keepalive below the NAT timeout');
  assert.ok(relayHeaderBytes + sessionDatagramBytesMax <= 1232, 'relay: a relayed session datagram fits the IPv6 minimum MTU (1280 − 48)');
  assert.ok(pathRepunchDelaysMs.every((delay, index) => delay > 0 && (index === 0 || delay > pathRepunchDelaysMs[index - 1]!)), 'path: repunch delays grow');
}

checkPunchLimits();

// ── Socket shell (rendezvous/socket/) ───────────────────────────────────────
// One endpoint owns one UDP socket, runs the session core on it and a reliable channel per
// session. docs/PROTOCOL.md "Socket layer"; the numbers in docs/BENCHMARKS.md "Transport".

/**
 * Established sessions per endpoint. Each holds a channel whose receive window the peer can fill
 * (≈ 2.2 MB at the channel defaults), so this bounds what peers can make an endpoint hold:
 * 1024 × 2.2 MB. An agent with more peers should also lower the channel's receive window.
 */
export const socketConnectionsMax = 1024;
/** Outbound handshakes in flight at once. */
export const socketPendingConnectsMax = 256;
/** connect() gives up after this long: three initiations (sent at 0, ~5 and ~10 s). */
export const socketConnectTimeoutMs = 15_000;
/** A clean close waits this long at most for the peer to acknowledge what was queued. */
export const socketCloseLingerMs = 10_000;
/** While lingering, how often the shell checks whether everything was acknowledged. */
export const socketClosePollMs = 10;
/** Unreliable datagrams kept for a connection whose onDatagram handler is not set yet. */
export const socketDatagramBacklogMax = 32;
/** The IP TTL a socket goes back to after a raw send with another (Linux's default). */
export const socketDefaultTtl = 64;

function checkSocketLimits(): void {
  assert.ok(socketConnectionsMax >= 1 && socketPendingConnectsMax >= 1, 'socket: room for at least one session');
  assert.ok(socketConnectTimeoutMs > sessionRekeyTimeoutMs + sessionRekeyTimeoutJitterMs, 'socket: connect waits for at least one handshake retransmission');
  assert.ok(socketConnectTimeoutMs < sessionRekeyAttemptMs, 'socket: connect gives up before the session core does');
  assert.ok(socketClosePollMs < socketCloseLingerMs, 'socket: the linger is polled more than once');
  assert.ok(socketDatagramBacklogMax <= channelUnreliableQueueMax, 'socket: no more datagrams held than the channel queues');
  assert.ok(socketDefaultTtl === punchNormalTtl, 'socket: the TTL restored after an opener is the one punch probes use');
}

checkSocketLimits();
