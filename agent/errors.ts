import { ParleyError } from '../names/index.ts';

/**
 * Expected failures of agent/, one stable `code` each, grouped by area. Each area lists its
 * codes in a `const` array so tests and fuzzers can check that an error's code is one the area
 * may produce. Broken invariants (a node missing from our own store) are bugs: they assert.
 */

// ── Merkle proofs and structures (agent/merkle/) ────────────────────────────
export const merkleErrorCodes = [
  // arguments at the boundary
  'MERKLE_BAD_HASH', // a leaf hash, proof node or key that is not 32 bytes
  'MERKLE_BAD_SIZE', // a tree size or index that is negative, fractional or above logSizeMax
  'MERKLE_BAD_RANGE', // index ≥ size, size1 > size2, or [start, end) not a subtree (MTC draft §4.1)
  'MERKLE_EMPTY_TREE', // a consistency proof from size 0, which proves nothing (library policy)
  'MERKLE_BEYOND_LOG', // a proof asked for a size larger than the log holds
  // proof checks
  'MERKLE_PROOF_LENGTH', // a proof with more or fewer nodes than its sizes call for
  'MERKLE_ROOT_MISMATCH', // the proof recomputes a different root
  'MERKLE_KEY_MISMATCH', // a sparse proof whose leaf is for a key that cannot share the path
  'MERKLE_VALUE_MISMATCH', // a sparse membership proof for a different value
  'MERKLE_WRONG_KIND', // a membership proof offered as non-membership, or the other way
  'MERKLE_BAD_VALUE', // a sparse value too long, or a ledger value that does not decode
  'MERKLE_BAD_ENCODING', // proof bytes that do not decode exactly (length, bitmap, canonical form)
  // light-client checks against a header
  'MERKLE_HEADER_MISMATCH', // a proof for another tree size than the header commits
  'MERKLE_EVENTS_INCOMPLETE', // the events given do not make up the committed count and root
] as const;
export type MerkleErrorCode = (typeof merkleErrorCodes)[number];

// ── Ledger (agent/ledger/) ──────────────────────────────────────────────────
export const ledgerErrorCodes = [
  // canonical encoding (tx-codec.ts, block-codec.ts, block-params.ts): decode rejects anything
  // that would not re-encode to the same bytes
  'LEDGER_TRUNCATED', // the bytes end inside a field
  'LEDGER_TRAILING_BYTES', // bytes left over after the last field
  'LEDGER_UNKNOWN_VERSION',
  'LEDGER_TOO_LARGE', // an encoding or a count above its limit (agent/constants.ts, ledger block)
  'LEDGER_NON_CANONICAL', // a flag, enum or field in a form encode never writes
  // transaction rules that need no state (tx-rules.ts)
  'LEDGER_NO_INPUTS', // a transaction after genesis spends nothing
  'LEDGER_BAD_GENESIS', // a genesis transaction with inputs or a fee: genesis only mints
  'LEDGER_DUPLICATE_INPUT', // one outpoint twice in a transaction
  'LEDGER_DUST_OUTPUT', // an amount below ChainParameters.outputAmountMin
  'LEDGER_AMOUNT_OVERFLOW', // a sum beyond u64
  'LEDGER_FEE_TOO_LOW',
  'LEDGER_BAD_KEY', // a key or host that is not a BIP340 x-only point
  'LEDGER_BAD_NAME',
  'LEDGER_BAD_ENDPOINT',
  // rules against the state (apply-tx.ts, apply-actions.ts)
  'LEDGER_UNKNOWN_OUTPUT', // an input whose output never existed
  'LEDGER_DOUBLE_SPEND', // an input already spent, also earlier in the same block
  'LEDGER_VALUE_NOT_CONSERVED', // sum(inputs) ≠ sum(outputs) + fee
  'LEDGER_SIGNATURE_COUNT', // not one signature per distinct authorizing key
  'LEDGER_BAD_SIGNATURE',
  'LEDGER_UNKNOWN_HOST', // an output hosted with a key that is not a live agent
  'LEDGER_NAME_TAKEN', // a live name registered again
  'LEDGER_NAME_NOT_FOUND', // renew, transfer or agent registration of a name that is not live
  'LEDGER_NOT_NAME_OWNER', // an agent registered under a name its key does not own
  'LEDGER_DUPLICATE_TRANSACTION', // a transaction hash seen before
  // block rules (apply.ts)
  'LEDGER_BAD_HEIGHT',
  'LEDGER_BAD_PREVIOUS_HASH',
  'LEDGER_BAD_TIME', // not after the previous block's time
  'LEDGER_BAD_PARAMETERS', // a header for another chain parameters hash, or parameters that fail their checks
  'LEDGER_BAD_ROOT', // a header root that the block's transactions do not produce
  'LEDGER_BLOCK_TOO_LARGE', // more transactions or bytes than the chain parameters allow
  // the SQLite store (store-*.ts)
  'LEDGER_STORE_SCHEMA_TOO_NEW', // a file written by a newer version of this code
  'LEDGER_STORE_CORRUPT', // a file whose contents break the schema's own rules
  'LEDGER_STORE_PARAMETERS_MISMATCH', // a file for another chain
] as const;
export type LedgerErrorCode = (typeof ledgerErrorCodes)[number];

// ── Consensus (agent/consensus/) ────────────────────────────────────────────
export const consensusErrorCodes = [
  // canonical encoding of votes, proposals, certificates, evidence, guard records (messages.ts)
  'CONSENSUS_TRUNCATED', // the bytes end inside a field
  'CONSENSUS_TRAILING_BYTES', // bytes left over after the last field
  'CONSENSUS_UNKNOWN_VERSION',
  'CONSENSUS_UNKNOWN_KIND', // a message kind or vote type this code does not know
  'CONSENSUS_NON_CANONICAL', // a flag, padding bit or order that encode never writes
  'CONSENSUS_TOO_LARGE', // a block, count or number above its limit (agent/constants.ts, consensus block)
  // peer sets and parameters (peer-set.ts, params.ts)
  'CONSENSUS_BAD_PEER_SET', // empty, duplicate keys, zero weight, more than consensusPeersMax
  'CONSENSUS_BAD_PARAMETERS', // timeouts or intervals out of range
  // checks of signed data against a peer set (certificate.ts, evidence.ts, ingress.ts)
  'CONSENSUS_WRONG_HEIGHT', // a certificate or message for another height than asked
  'CONSENSUS_WRONG_BLOCK', // a certificate for another block hash than asked
  'CONSENSUS_PEER_COUNT_MISMATCH', // a signer bitmap sized for another peer set
  'CONSENSUS_UNKNOWN_PEER', // a key that is not in the peer set of that height
  'CONSENSUS_BAD_SIGNATURE',
  'CONSENSUS_NO_QUORUM', // signers holding 2/3 of the weight or less
  'CONSENSUS_NOT_PROPOSER', // a proposal from a peer the lottery did not draw for (height, round)
  'CONSENSUS_BAD_BEACON', // a beacon (VRF) proof that does not verify for the drawn proposer
  'CONSENSUS_BAD_ROUND', // a proposal whose valid round is not below its round
  'CONSENSUS_NOT_CONFLICTING', // evidence whose two votes do not conflict (or are one vote twice)
  // the sign guard (guard.ts): Liquid's rule, never sign backwards or two things for one step
  'CONSENSUS_GUARD_REGRESSION', // a request below the last signed (height, round, step)
  'CONSENSUS_GUARD_CONFLICT', // a different message for the (height, round, step) already signed
  // the mempool (mempool.ts)
  'CONSENSUS_MEMPOOL_FULL', // no room by count or bytes, and the newcomer pays no more than the cheapest
  'CONSENSUS_MEMPOOL_DUPLICATE', // a transaction already admitted
  'CONSENSUS_MEMPOOL_TOO_LARGE', // a transaction above the admission size limit
  'CONSENSUS_MEMPOOL_REJECTED', // the admission check (signature, format) refused it
] as const;
export type ConsensusErrorCode = (typeof consensusErrorCodes)[number];

// ── Rendezvous (agent/rendezvous/) ──────────────────────────────────────────
// Logged when a request or datagram is dropped or refused; never thrown across the event loop.
export const rendezvousAgentErrorCodes = [
  'RENDEZVOUS_NOT_HOSTED', // presence from a session with no account at this agent
  'RENDEZVOUS_PRESENCE_FULL', // presenceEntriesMax online already
  'RENDEZVOUS_RATE_LIMITED', // an introduction over the per-wallet or per-source token bucket
  'RENDEZVOUS_PENDING_FULL', // too many live introductions (global, per caller or per callee)
  'RENDEZVOUS_BAD_REQUEST', // a target that is no login name, or oneself
  'RENDEZVOUS_NOT_HERE', // a target hosted by another agent
  'RENDEZVOUS_UNKNOWN_SESSION', // a relay request for no live introduction of that wallet
  'RENDEZVOUS_UNEXPECTED_MESSAGE', // a message only agents send, or one for another layer
  'RENDEZVOUS_NAT_PROBE_BAD', // a datagram on a probe port that is no nat-probe
  'RENDEZVOUS_NAT_PROBE_RATE_LIMITED',
  'RENDEZVOUS_NAT_PROBE_NO_ENDPOINT', // asked to answer from an endpoint this agent does not have
  'RENDEZVOUS_RELAY_BAD_PACKET',
  'RENDEZVOUS_RELAY_UNKNOWN_TOKEN',
  'RENDEZVOUS_RELAY_WRONG_SOURCE', // a valid token from an address that is not that wallet's
  'RENDEZVOUS_RELAY_RATE_LIMITED', // over the relay's or the global bandwidth bucket: dropped
  'RENDEZVOUS_RELAY_EXHAUSTED', // the relay used up relayBytesMax: closed
  'RENDEZVOUS_RELAY_FULL', // relaysMax relays, or relaysPerWalletMax for a side
] as const;
export type RendezvousAgentErrorCode = (typeof rendezvousAgentErrorCodes)[number];

// ── Accounts and the daemon (agent/daemon/) ─────────────────────────────────
// Account refusals are answered to the wallet (account-refused) and logged; daemon codes are
// what `parley-agent init` / `run` exit with, naming the file or field that is wrong.
export const daemonErrorCodes = [
  'ACCOUNT_BAD_NAME', // a login that is not wallet@agent by the names/ rules
  'ACCOUNT_NOT_HERE', // a login for another agent's name
  'ACCOUNT_TAKEN', // the wallet name is bound to another key (first come)
  'ACCOUNT_FULL', // accountsMax accounts already
  'ACCOUNT_RATE_LIMITED', // new accounts from one source host, or logins in one session, over the limit
  'ACCOUNT_STORE_SCHEMA_TOO_NEW', // an accounts table written by a newer version of this code
  'DAEMON_USAGE', // a command line that does not parse (the message says what is missing)
  'DAEMON_ALREADY_INITIALIZED', // init into a directory that holds an agent already
  'DAEMON_NOT_INITIALIZED', // run on a directory init did not make
  'DAEMON_BAD_CONFIG', // agent.json that does not parse or has a bad field (named)
  'DAEMON_BAD_KEY_FILE', // a key file that does not parse, or is readable by others
  'DAEMON_BIND_FAILED', // a configured UDP address:port cannot be bound
] as const;
export type DaemonErrorCode = (typeof daemonErrorCodes)[number];

// ── Snapshots: trustnet attestations, chunks, bootstrap (agent/snapshot/) ───
export const snapshotErrorCodes = [
  // attestations (attestation.ts): the trustnet rule is "every configured authority signed it"
  'SNAPSHOT_BAD_ATTESTATION', // attestation bytes that do not decode exactly (length, version)
  'SNAPSHOT_BAD_AUTHORITIES', // an empty authority list, a duplicate key, or one that is not a BIP340 key
  'SNAPSHOT_ATTESTATION_MISSING', // a configured authority signed no snapshot the others signed (names it)
  'SNAPSHOT_ATTESTATIONS_CONFLICT', // authorities signed different states for one height (names them)
  // chunks (chunk-codec.ts, chunk-verify.ts)
  'SNAPSHOT_BAD_CHUNK', // chunk bytes that do not decode exactly, or records out of canonical order
  'SNAPSHOT_CHUNK_MISMATCH', // a chunk whose proof does not lead to the attested state root
  'SNAPSHOT_RECORD_TOO_LARGE', // a record that does not fit in one chunk (export)
  // export, import and bootstrap (export.ts, import.ts, bootstrap.ts)
  'SNAPSHOT_EMPTY_LEDGER', // export of a ledger before genesis
  'SNAPSHOT_IMPORT_NOT_FRESH', // import into a file that holds a ledger, or another snapshot's import
  'SNAPSHOT_STATE_MISMATCH', // imported records that contradict each other or the attested header
  'SNAPSHOT_CHUNK_TIMEOUT', // a source did not answer a chunk request in time (blame)
  'SNAPSHOT_NO_SOURCE', // every source failed or refused a chunk: nowhere left to fetch it
] as const;
export type SnapshotErrorCode = (typeof snapshotErrorCodes)[number];

// ── The chain service (agent/chain/): the ledger as consensus's application, on the network ──
// Block sections, chain files and peer frames; bad input from the network is logged and dropped.
export const chainErrorCodes = [
  'CHAIN_BAD_BLOCK', // a chain block that does not decode, or whose consensus section breaks a rule (named)
  'CHAIN_BAD_FRAME', // a peer or client frame that does not decode
  'CHAIN_BAD_CONFIG', // chain.json or devnet.json that does not parse or has a bad field (named)
  'CHAIN_STORE_MISMATCH', // a ledger file whose chain tables disagree with its ledger tip
  'CHAIN_TX_REJECTED', // a submitted transaction refused on admission (the cause is named)
] as const;
export type ChainErrorCode = (typeof chainErrorCodes)[number];

export type AgentErrorCode = MerkleErrorCode | LedgerErrorCode | ConsensusErrorCode | RendezvousAgentErrorCode | SnapshotErrorCode | DaemonErrorCode | ChainErrorCode;

export const agentErrorCodes: ReadonlySet<AgentErrorCode> = new Set<AgentErrorCode>([...merkleErrorCodes, ...ledgerErrorCodes, ...consensusErrorCodes, ...rendezvousAgentErrorCodes, ...snapshotErrorCodes, ...daemonErrorCodes, ...chainErrorCodes]);

export class AgentError extends ParleyError<AgentErrorCode> {}
