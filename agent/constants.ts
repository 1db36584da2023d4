import assert from 'node:assert/strict';

/**
 * Every limit of agent/ in one place, grouped by area, with startup checks of how they relate.
 * A broken relation is a bug in this file: the module throws at load.
 */

// ── Merkle structures (agent/merkle/) ───────────────────────────────────────

/** Every node, root, leaf hash and sparse key is a SHA-256 output. */
export const merkleHashBytes = 32;

/**
 * Largest log size (and so index + 1) we accept. Sizes are JS numbers: above 2^53 − 1 they stop
 * being exact, so a larger size on the wire is rejected rather than rounded.
 */
export const logSizeMax = Number.MAX_SAFE_INTEGER;

/**
 * Most hashes in one log proof. An RFC 9162 inclusion path has at most ⌈log2 n⌉ nodes and a
 * consistency proof (plain or subtree) at most ⌈log2 n⌉ + 1 (§2.1.4.1): 54 for logSizeMax.
 * The count travels as one byte.
 */
export const logProofHashesMax = 64;

/** Sparse Merkle tree keys are 256-bit hashes of the key material; the tree is that deep. */
export const sparseKeyBytes = 32;
export const sparseDepthMax = 8 * sparseKeyBytes;

/** Largest value a sparse leaf may hold: ledger values are small fixed records (41 bytes at most). */
export const sparseValueBytesMax = 256;

/** An encoded sparse proof: kind, depth, bitmap, every sibling, and the terminal leaf. */
export const sparseProofBytesMax = 1 + 2 + sparseDepthMax / 8 + sparseDepthMax * merkleHashBytes + 2 * merkleHashBytes;

function bitLength(value: number): number {
  let bits = 0;
  for (let rest = value; rest > 0; rest = Math.floor(rest / 2)) bits++;
  return bits;
}

function checkMerkleLimits(): void {
  assert.ok(Number.isSafeInteger(logSizeMax), 'merkle: sizes are exact JS integers');
  assert.ok(logProofHashesMax >= bitLength(logSizeMax) + 1, 'merkle: the longest proof of the largest log fits');
  assert.ok(logProofHashesMax <= 0xff, 'merkle: the proof hash count travels as one byte');
  assert.ok(sparseKeyBytes === merkleHashBytes, 'merkle: sparse keys are hashes');
  assert.ok(sparseDepthMax <= 0xffff, 'merkle: the proof depth travels as two bytes');
  assert.ok(sparseValueBytesMax >= 41, 'merkle: the outpoint status value fits');
}

checkMerkleLimits();

// ── Ledger (agent/ledger/) ──────────────────────────────────────────────────
// Protocol limits that decoding enforces before any state is consulted. Chain parameters
// (block-params.ts) may only tighten the block limits below, never loosen them.

/** Transaction and block header layout versions this code writes and reads. */
export const ledgerTransactionVersion = 1;
export const ledgerHeaderVersion = 1;
export const ledgerParametersVersion = 1;
/** Counts travel as one byte; the limits keep a transaction well under ledgerTransactionBytesMax. */
export const ledgerInputsMax = 64;
export const ledgerOutputsMax = 64;
export const ledgerActionsMax = 8;
/** Signatures: one per distinct authorizing key (at most one per input and one per action). */
export const ledgerSignaturesMax = ledgerInputsMax + ledgerActionsMax;
/** Largest encoded transaction, signatures included. */
export const ledgerTransactionBytesMax = 16 * 1024;
/** Ceilings for a block; a chain's parameters choose values at or below them. */
export const ledgerBlockTransactionsMax = 65_535;
export const ledgerBlockBytesMax = 8 * 1024 * 1024;
/** u64 amounts and fees: one past the largest value. */
export const ledgerAmountLimit = 1n << 64n;
/** Chain ids are short printable ASCII labels (`parley-devnet`). */
export const ledgerChainIdBytesMax = 32;
/** Names travel with a one-byte length prefix (their UTF-8 form, NFC). */
export const ledgerNameBytesMax = 255;
export const ledgerSignatureBytes = 64;
export const ledgerKeyBytes = 32;
export const ledgerHashBytes = 32;
/** Encoded sizes of fixed parts (tx-codec.ts), checked below against the limits. */
export const ledgerInputBytes = ledgerHashBytes + 2;
export const ledgerOutputBytes = 8 + 2 * ledgerKeyBytes;
/** version, paramsHash, height, previous hash, time, log size, four roots. */
export const ledgerHeaderBytes = 1 + 32 + 8 + 32 + 8 + 8 + 4 * 32;

function checkLedgerLimits(): void {
  assert.ok(ledgerInputsMax <= 0xff && ledgerOutputsMax <= 0xff && ledgerActionsMax <= 0xff, 'ledger: counts travel as one byte');
  assert.ok(ledgerSignaturesMax <= 0xff, 'ledger: the signature count travels as one byte');
  assert.ok(ledgerOutputsMax <= 0xffff, 'ledger: an output index travels as two bytes');
  const largestPayment = 4 + ledgerInputsMax * ledgerInputBytes + ledgerOutputsMax * ledgerOutputBytes + 8 + 33 + 1 + ledgerInputsMax * ledgerSignatureBytes;
  assert.ok(largestPayment <= ledgerTransactionBytesMax, 'ledger: a transaction with every input and output fits');
  assert.ok(ledgerTransactionBytesMax + 4 <= ledgerBlockBytesMax, 'ledger: one largest transaction fits in a block');
  assert.ok(ledgerBlockTransactionsMax <= 0xffff_ffff && ledgerBlockBytesMax <= 0xffff_ffff, 'ledger: block counts travel as four bytes');
  assert.ok(ledgerNameBytesMax <= 0xff, 'ledger: a name travels with a one-byte length');
  assert.ok(ledgerChainIdBytesMax <= 0xff, 'ledger: a chain id travels with a one-byte length');
}

checkLedgerLimits();

// ── Consensus (agent/consensus/) ────────────────────────────────────────────
// Wire limits of votes, proposals, certificates and evidence (docs/PROTOCOL.md "Consensus").
// Timeouts and intervals are chain parameters (agent/consensus/params.ts), not limits.

/**
 * Layout version of every consensus message and of the sign-guard record. 2: a vote carries its
 * proof-of-lock round (docs/PROTOCOL.md "Consensus"); guard records of version 1 still open.
 */
export const consensusMessageVersion = 2;
export const consensusHashBytes = 32;
export const consensusKeyBytes = 32;
export const consensusSignatureBytes = 64;
/** A beacon (VRF) proof: Gamma (33, compressed point) ‖ c (16) ‖ s (32) (RFC 9381 §5 shape). */
export const consensusBeaconProofBytes = 33 + 16 + 32;
/** Peers in one set: the signer bitmap of a certificate is sized by a two-byte count. */
export const consensusPeersMax = 1024;
/** Rounds travel as u32 and a proposal's valid round as i32 (−1 = none): rounds stay below 2^31. */
export const consensusRoundMax = 0x7fff_ffff;
/** Heights travel as u64 and must be exact JS numbers. */
export const consensusHeightMax = Number.MAX_SAFE_INTEGER;
/** Largest block a proposal or decision may carry; at least the ledger's block ceiling. */
export const consensusBlockBytesMax = 8 * 1024 * 1024;
/** Encoded vote: type, height, round, proof-of-lock round (i32), value flag, block hash, voter key, signature. */
export const consensusVoteBytes = 1 + 8 + 4 + 4 + 1 + 32 + 32 + 64;
/** Heights whose votes a peer keeps in memory after deciding them, for the forensic exchange after a fork. */
export const consensusVoteLogHeights = 64;
/** Votes in one vote-log message (a height's log travels in as many as it needs). */
export const consensusVoteLogVotesMax = 2048;
/** Votes of one forked height a peer pools from vote logs, in all and per voter (the rest is dropped, logged). */
export const consensusForensicVotesMax = 65_536;
export const consensusForensicVotesPerVoterMax = 256;
/** Votes are stored for rounds up to current + this; beyond, only a sender's highest round is kept. */
export const consensusRoundsAheadStored = 4;
/** Distinct blocks one proposer may get stored for one round (an equivocating proposer gets no more). */
export const consensusProposalsPerRoundMax = 4;
/** Messages for the next height held until this node commits the current one. */
export const consensusFutureMessagesMax = 512;
/** Evidence about votes older than this many heights is refused (peer sets are kept this long). */
export const consensusEvidenceAgeMaxHeights = 10_000;
/** Own votes of the current height the sign guard keeps, to send again after a restart (8 rounds). */
export const consensusGuardVotesMax = 16;
/** Sign-guard record: version, last signed (height, round, step, digest, signature), lock, own votes. */
export const consensusGuardRecordBytesMax = 1 + 8 + 4 + 1 + 32 + 64 + 1 + 8 + 4 + 32 + 1 + consensusGuardVotesMax * consensusVoteBytes;

/** Mempool: transactions and bytes held, and how many rejected ids are remembered (not re-verified). */
export const mempoolTransactionsMax = 20_000;
export const mempoolBytesMax = 64 * 1024 * 1024;
export const mempoolRejectedRemembered = 4096;

function checkConsensusLimits(): void {
  assert.ok(consensusPeersMax <= 0xffff, 'consensus: the peer count travels as two bytes');
  assert.ok(consensusRoundMax <= 0x7fff_ffff, 'consensus: a valid round travels as i32');
  assert.ok(consensusBlockBytesMax >= ledgerBlockBytesMax, 'consensus: a proposal carries the largest ledger block');
  assert.ok(consensusBlockBytesMax <= 0xffff_ffff, 'consensus: a block length travels as four bytes');
  assert.ok(consensusHashBytes === ledgerHashBytes && consensusKeyBytes === ledgerKeyBytes, 'consensus: hashes and keys are the ledger\'s');
  assert.ok(consensusSignatureBytes === ledgerSignatureBytes, 'consensus: BIP340 signatures');
  assert.ok(consensusRoundsAheadStored >= 1, 'consensus: a peer one round ahead is heard');
  assert.ok(consensusFutureMessagesMax >= 3 * 16, 'consensus: one round of a small peer set fits in the future buffer');
  assert.ok(mempoolBytesMax >= ledgerTransactionBytesMax && mempoolTransactionsMax >= 1, 'consensus: the mempool holds at least one largest transaction');
  assert.ok(consensusGuardVotesMax >= 2 && consensusGuardVotesMax <= 0xff, 'consensus: a round\'s two votes fit, and the count travels as one byte');
  assert.ok(consensusVoteLogVotesMax <= 0xffff && consensusVoteLogVotesMax * consensusVoteBytes <= consensusBlockBytesMax, 'consensus: a vote-log message is no larger than a proposal');
  assert.ok(consensusForensicVotesPerVoterMax >= 4 && consensusForensicVotesMax >= consensusVoteLogVotesMax, 'consensus: a forensic pool holds at least one log message and two rounds of one voter');
}

checkConsensusLimits();

// ── Rendezvous: presence, introductions, NAT probes, relays (agent/rendezvous/) ──
// docs/DECISIONS.md "Rendezvous and hole punching" says why these values.

/** Online wallets kept; a login beyond it is refused (logged) rather than evicting someone. */
export const presenceEntriesMax = 100_000;
/** A presence entry lives this long after the wallet was last heard from (3.5 client keepalives). */
export const presenceExpiryMs = 70_000;
/** Introduction records (session id → both sides) live this long: long enough to punch and ask for a relay. */
export const introductionLifetimeMs = 30_000;
export const introductionsPendingMax = 10_000;
/** Live introductions one caller may hold, and one callee may be the target of (spam to one wallet). */
export const introductionsPendingPerCallerMax = 8;
export const introductionsPendingPerCalleeMax = 16;
/** Token buckets: per calling wallet, and per source host (a wallet key costs nothing to make). */
export const introductionsPerSecondPerWallet = 1;
export const introductionBurstPerWallet = 5;
export const introductionsPerSecondPerSource = 2;
export const introductionBurstPerSource = 10;
/** NAT probes are unauthenticated datagrams: a small per-source allowance, answered no larger than asked. */
export const natProbesPerSecondPerSource = 5;
export const natProbeBurstPerSource = 16;
/** Keys each rate table remembers; the least recently used is forgotten (at worst it gets a full bucket). */
export const rendezvousRateKeysMax = 16_384;
/** Relays: how many at once, per wallet, and each one's byte, time, idle and rate limits. */
export const relaysMax = 1_024;
export const relaysPerWalletMax = 4;
export const relayBytesMax = 256 * 1024 * 1024;
export const relayLifetimeMs = 30 * 60_000;
export const relayIdleMs = 60_000;
export const relayBytesPerSecondPerRelay = 1024 * 1024;
export const relayBurstBytesPerRelay = 256 * 1024;
/** All relays together may not use more than this of the agent's bandwidth. */
export const relayBytesPerSecondGlobal = 16 * 1024 * 1024;
export const relayBurstBytesGlobal = 2 * 1024 * 1024;
/** The service sweeps expired presence, introductions and relays this often. */
export const rendezvousSweepMs = 1_000;

function checkRendezvousLimits(): void {
  // The client keeps its presence alive every presenceKeepaliveMs (rendezvous/constants.ts, 20 s).
  assert.ok(presenceExpiryMs >= 3 * 20_000, 'rendezvous: presence survives two lost keepalives');
  assert.ok(introductionsPendingPerCallerMax <= introductionsPendingMax && introductionsPendingPerCalleeMax <= introductionsPendingMax, 'rendezvous: per-wallet pending limits fit the global one');
  assert.ok(introductionBurstPerWallet >= 1 && introductionBurstPerSource >= introductionBurstPerWallet, 'rendezvous: a source may carry at least one wallet');
  assert.ok(natProbeBurstPerSource >= 6, 'rendezvous: one classification (3 probes + retries) fits the burst');
  assert.ok(relaysPerWalletMax <= relaysMax && relayBurstBytesPerRelay <= relayBurstBytesGlobal, 'rendezvous: per-relay limits fit the global ones');
  assert.ok(relayBurstBytesPerRelay >= 2 * 1232, 'rendezvous: a relay burst holds a full relayed datagram');
  assert.ok(relayIdleMs > 20_000 && relayIdleMs < relayLifetimeMs, 'rendezvous: a keepalive keeps a relay from idling out');
  assert.ok(introductionLifetimeMs > 10_000, 'rendezvous: an introduction outlives the slowest punch (10 s) so a relay can still be asked for');
  assert.ok(rendezvousSweepMs < introductionLifetimeMs, 'rendezvous: sweeps are more frequent than expiries');
}

checkRendezvousLimits();

// ── Accounts and the daemon (agent/daemon/) ─────────────────────────────────
// docs/DECISIONS.md "Agent daemon and CLI" says why these values.

/** Wallet accounts one agent binds; a login of a new name beyond it is refused (`full`). */
export const accountsMax = 1_000_000;
/** New account bindings per source host (first come, first served invites squatting): a token bucket. */
export const accountCreationsPerSecondPerSource = 4;
export const accountCreationBurstPerSource = 32;
/** Logins of one session before it is told `rate-limited` (a client logs in once). */
export const accountLoginsPerSessionMax = 16;
/** The agent's UDP ports when `init` is given none: the main port and the NAT-classification port. */
export const daemonPortDefault = 7400;
/** Sockets' receive and send buffers (DESIGN.md: 4 MiB gives 0% loss at full speed here). */
export const daemonSocketBufferBytes = 4 * 1024 * 1024;

function checkAccountLimits(): void {
  assert.ok(accountCreationBurstPerSource >= introductionBurstPerSource, 'accounts: a source may create the wallets it may introduce');
  assert.ok(daemonPortDefault > 1024 && daemonPortDefault < 65_535, 'daemon: the default port and the one after it are unprivileged ports');
}

checkAccountLimits();

// ── Snapshots: trustnet attestations, chunks, bootstrap (agent/snapshot/) ────
// docs/PROTOCOL.md "Snapshots" has the layouts; docs/DECISIONS.md "Snapshots" says why these values.

/** Layout version of attestations, chunks and the import progress record. */
export const snapshotFormatVersion = 1;
/**
 * Largest chunk, header included. Part of the protocol, not a tuning knob: chunk boundaries, and
 * so the state root, depend on it, and every authority must cut the same chunks to sign the same
 * root. 256 KiB: a few hundred ms on a slow link, and the retry cost of one bad chunk.
 */
export const snapshotChunkBytesMax = 256 * 1024;
/** Chunk header: version u8 ‖ chunk index u32. */
export const snapshotChunkHeaderBytes = 1 + 4;
/** Chunk counts travel as u32; this also bounds a proof at 32 hashes (an 8 TiB state is 2^25 chunks). */
export const snapshotChunksMax = 0xffff_ffff;
/** An event record in a snapshot travels with a u16 length; ledger events are at most 348 bytes. */
export const snapshotEventBytesMax = 1024;
/** The largest record: a transaction (kind, hash, height u64, position u16, log index u64, length u16, bytes). */
export const snapshotRecordBytesMax = 1 + ledgerHashBytes + 8 + 2 + 8 + 2 + ledgerTransactionBytesMax;
/** Attestation: version u8 ‖ chainId[32] ‖ height u64 ‖ blockHash[32] ‖ stateRoot[32] ‖ chunkCount u32, then key and signature. */
export const snapshotAttestationMessageBytes = 1 + 32 + 8 + 32 + 32 + 4;
export const snapshotAttestationBytes = snapshotAttestationMessageBytes + ledgerKeyBytes + ledgerSignatureBytes;
/** Configured authorities: every one must sign, so a long list is a liveness risk, not a safety gain. */
export const snapshotAuthoritiesMax = 64;
/** Attestations read from one source's answer; the rest are dropped (a source cannot flood us). */
export const snapshotAttestationsPerAnswerMax = 256;

// Bootstrap defaults (BootstrapConfig may choose others within these relations).
/** Chunk requests outstanding in all, and per source. */
export const snapshotChunksInFlightMax = 8;
export const snapshotChunksInFlightPerSourceMax = 2;
/**
 * Chunks are written in index order (the import checks links between consecutive records), so
 * verified chunks wait in memory until the ones before them are written: at most this many,
 * counted from the next chunk to write (32 × 256 KiB = 8 MiB).
 */
export const snapshotChunkWindow = 32;
export const snapshotChunkTimeoutMs = 10_000;
/** How long to wait for every source's attestations before deciding with what arrived. */
export const snapshotAttestationTimeoutMs = 5_000;
/** Bad or late chunks a source may send before it is asked for nothing more. */
export const snapshotSourceStrikesMax = 3;

function checkSnapshotLimits(): void {
  assert.ok(snapshotChunkHeaderBytes + snapshotRecordBytesMax <= snapshotChunkBytesMax, 'snapshot: the largest record fits in one chunk');
  assert.ok(ledgerTransactionBytesMax <= 0xffff && snapshotEventBytesMax <= 0xffff, 'snapshot: transaction and event lengths travel as u16');
  assert.ok(snapshotEventBytesMax >= 1 + 8 + 32 + 1 + ledgerNameBytesMax + 32 + 19, 'snapshot: the largest ledger event (agent registered) fits');
  const tipBytes = 1 + ledgerHeaderBytes + 8 + 8 + 1 + logProofHashesMax * merkleHashBytes;
  assert.ok(snapshotChunkHeaderBytes + tipBytes <= snapshotChunkBytesMax, 'snapshot: the tip record fits in one chunk');
  assert.ok(snapshotChunksMax <= logSizeMax, 'snapshot: a chunk count is a log size');
  assert.ok(snapshotChunksInFlightPerSourceMax <= snapshotChunksInFlightMax, 'snapshot: a source\'s share fits the total');
  assert.ok(snapshotChunkWindow >= snapshotChunksInFlightMax, 'snapshot: the window holds every request in flight');
  assert.ok(snapshotAuthoritiesMax <= snapshotAttestationsPerAnswerMax, 'snapshot: one answer can carry every authority\'s attestation');
}

checkSnapshotLimits();

// ── The chain service (agent/chain/) ────────────────────────────────────────
// docs/DECISIONS.md "Chain service" says why these values.

/** First byte of a chain frame on a session: 0xc1 is never used by msgpack, so wallet messages (msgpack maps) never start with it. */
export const chainFrameMarker = 0xc1;
/** Evidence items one block may carry. */
export const chainEvidencePerBlockMax = 8;
/** Transactions in one gossip or submit frame, and its bytes: a frame stays below the channel's 1 MiB message. */
export const chainFrameTransactionsMax = 1024;
export const chainFrameBytesMax = 768 * 1024;
/** Validation results kept by block hash (proposals of the current height and a few rounds). */
export const chainValidationCacheEntries = 32;
/** Peer sets of past heights kept in memory for evidence and fork checks; older ones are read from the file. */
export const chainPeerSetCacheEntries = 256;
/** Transactions gossiped per peer per flush; the rest wait for the next turn. */
export const chainGossipBatchMax = 256;
/** A peer link with nothing received for this long is closed and dialled again (consensus gossips status every gossipIntervalMs). */
export const chainPeerSilenceMs = 3_000;
/** Reconnect backoff to a peer: from the first to the cap, doubling. */
export const chainReconnectFirstMs = 200;
export const chainReconnectMaxMs = 2_000;
/** Clients subscribed to finalized blocks per agent. */
export const chainSubscribersMax = 64;

function checkChainLimits(): void {
  assert.ok(chainEvidencePerBlockMax <= 0xff, 'chain: the evidence count travels as one byte');
  assert.ok(chainFrameBytesMax >= ledgerTransactionBytesMax + 16 && chainFrameBytesMax < 1024 * 1024, 'chain: a frame holds the largest transaction and fits a channel message');
  assert.ok(chainFrameTransactionsMax <= 0xffff, 'chain: the transaction count of a frame travels as two bytes');
  assert.ok(chainReconnectFirstMs <= chainReconnectMaxMs, 'chain: reconnect backoff grows');
}

checkChainLimits();
