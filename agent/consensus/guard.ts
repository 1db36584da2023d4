import { consensusGuardRecordBytesMax, consensusGuardVotesMax, consensusHashBytes, consensusHeightMax, consensusKeyBytes, consensusMessageVersion, consensusSignatureBytes, consensusVoteBytes } from '../constants.ts';
import { AgentError } from '../errors.ts';
import { Reader, Writer } from './bytes.ts';
import { decodeVote, encodeVote } from './messages.ts';
import { sameBytes } from './peer-set.ts';
import { digestOfVote, proposalDigest, type ConsensusCrypto } from './signing.ts';
import type { Proposal, Vote } from './types.ts';

/**
 * The sign guard: Liquid's HSM rule in software. The guard keeps the last (height, round, step)
 * it signed in a synchronous store and writes it *before* a signature leaves: it never signs
 * below that point, and never signs a second, different message for the point itself, across
 * restarts. An honest peer therefore never produces evidence (evidence.ts), whatever the state
 * machine asks after a crash. The record also keeps the lock (the last non-nil precommit), so a
 * restarted peer keeps its Tendermint lock (Algorithm 1 lines 36–43) instead of forgetting it.
 */

export type SignStep = 'propose' | 'prevote' | 'precommit';
const stepOrder: Record<SignStep, number> = { propose: 1, prevote: 2, precommit: 3 };
const stepByCode = new Map<number, SignStep>([[1, 'propose'], [2, 'prevote'], [3, 'precommit']]);

export type GuardLock = { readonly height: number; readonly round: number; readonly blockHash: Uint8Array };

export type GuardRecord = {
  readonly height: number;
  readonly round: number;
  readonly step: SignStep;
  /** Digest of the message signed at that point, and its signature (given again for the same digest). */
  readonly digest: Uint8Array;
  readonly signature: Uint8Array;
  readonly lock: GuardLock | null;
  /**
   * Our votes at `height`, oldest first, at most consensusGuardVotesMax. A restarted peer sends
   * them again: the paper's liveness needs every message of a correct peer to arrive in the
   * end, and a vote signed just before a crash may never have left (without them, peers that
   * crashed after voting can leave the rest waiting for a quorum that never comes).
   */
  readonly votes: readonly Vote[];
};

/** Durable, synchronous storage for one record: `write` returns only once the record is on disk. */
export interface GuardStore {
  read(): GuardRecord | null;
  write(record: GuardRecord): void;
}

export type GuardDecision = { readonly kind: 'sign' } | { readonly kind: 'repeat'; readonly signature: Uint8Array } | { readonly kind: 'refuse'; readonly error: AgentError };

function comparePoint(a: { height: number; round: number; step: SignStep }, b: { height: number; round: number; step: SignStep }): number {
  return a.height - b.height || a.round - b.round || stepOrder[a.step] - stepOrder[b.step];
}

/** The rule itself, pure: may a message with `digest` be signed at (height, round, step)? */
export function guardCheck(record: GuardRecord | null, request: { height: number; round: number; step: SignStep; digest: Uint8Array }): GuardDecision {
  if (record === null) return { kind: 'sign' };
  const order = comparePoint(request, record);
  if (order > 0) return { kind: 'sign' };
  const where = `(${request.height}, ${request.round}, ${request.step})`;
  if (order < 0) {
    return { kind: 'refuse', error: new AgentError('CONSENSUS_GUARD_REGRESSION', `guard: ${where} is below the last signed (${record.height}, ${record.round}, ${record.step})`) };
  }
  if (sameBytes(request.digest, record.digest)) return { kind: 'repeat', signature: record.signature };
  return { kind: 'refuse', error: new AgentError('CONSENSUS_GUARD_CONFLICT', `guard: already signed another message at ${where}`) };
}

export type Signed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: AgentError };

/** The peer's consensus key behind the guard. Only this object signs votes and proposals. */
export class GuardedSigner {
  readonly publicKey: Uint8Array;
  readonly #secretKey: Uint8Array;
  readonly #crypto: ConsensusCrypto;
  readonly #store: GuardStore;
  readonly #chainId: Uint8Array;

  constructor(options: { secretKey: Uint8Array; crypto: ConsensusCrypto; store: GuardStore; chainId: Uint8Array }) {
    this.#secretKey = options.secretKey;
    this.#crypto = options.crypto;
    this.#store = options.store;
    this.#chainId = options.chainId;
    this.publicKey = options.crypto.signatures.publicKey(options.secretKey);
  }

  /** What the store holds now (read at restart to restore the round, step, lock and last vote). */
  record(): GuardRecord | null {
    return this.#store.read();
  }

  signVote(unsigned: Omit<Vote, 'signature' | 'voter'>): Signed<Vote> {
    const digest = digestOfVote(this.#chainId, { ...unsigned, voter: this.publicKey });
    const record = this.#store.read();
    return this.#sign(record, { height: unsigned.height, round: unsigned.round, step: unsigned.type, digest }, (signature) => {
      const vote: Vote = { ...unsigned, voter: this.publicKey, signature };
      const lock = unsigned.type === 'precommit' && unsigned.blockHash !== null ? { height: unsigned.height, round: unsigned.round, blockHash: unsigned.blockHash } : (record?.lock ?? null);
      const earlier = record !== null && record.height === unsigned.height ? record.votes : [];
      return { value: vote, lock, votes: [...earlier, vote].slice(-consensusGuardVotesMax) };
    });
  }

  signProposal(unsigned: Omit<Proposal, 'signature' | 'proposer'>, blockHash: Uint8Array): Signed<Proposal> {
    const digest = proposalDigest(this.#chainId, unsigned, blockHash);
    const record = this.#store.read();
    return this.#sign(record, { height: unsigned.height, round: unsigned.round, step: 'propose', digest }, (signature) => ({
      value: { ...unsigned, proposer: this.publicKey, signature },
      lock: record?.lock ?? null,
      votes: record !== null && record.height === unsigned.height ? record.votes : [],
    }));
  }

  /** The beacon proof for `input`: unique per key and input, so it needs no guard. */
  proveBeacon(input: Uint8Array): Uint8Array {
    return this.#crypto.beacon.prove(this.#secretKey, input);
  }

  #sign<T>(
    record: GuardRecord | null,
    point: { height: number; round: number; step: SignStep; digest: Uint8Array },
    finish: (signature: Uint8Array) => { value: T; lock: GuardLock | null; votes: readonly Vote[] },
  ): Signed<T> {
    const decision = guardCheck(record, point);
    if (decision.kind === 'refuse') return { ok: false, error: decision.error };
    if (decision.kind === 'repeat') return { ok: true, value: finish(decision.signature).value };
    const signature = this.#crypto.signatures.sign(point.digest, this.#secretKey);
    const { value, lock, votes } = finish(signature);
    // Persist first: the signature exists only in memory until the record is durable.
    this.#store.write({ ...point, signature, lock, votes });
    return { ok: true, value };
  }
}

// ── the record's byte layout, for file or SQLite stores ─────────────────────

export function encodeGuardRecord(record: GuardRecord): Uint8Array {
  const writer = new Writer()
    .u8(consensusMessageVersion)
    .u64(record.height)
    .u32(record.round)
    .u8(stepOrder[record.step])
    .bytes(record.digest)
    .bytes(record.signature)
    .u8(record.lock === null ? 0 : 1)
    .u64(record.lock?.height ?? 0)
    .u32(record.lock?.round ?? 0)
    .bytes(record.lock?.blockHash ?? new Uint8Array(consensusHashBytes));
  writer.u8(record.votes.length);
  for (const vote of record.votes) writer.bytes(encodeVote(vote));
  return writer.finish();
}

/** Version 1 records (before votes carried a proof-of-lock round) still open (STYLE 10). */
const guardRecordVersionBeforePolRound = 1;
const voteBytesBeforePolRound = consensusVoteBytes - 4;

/**
 * A version-1 vote: the layout without the proof-of-lock round. A precommit is the same vote
 * today (its signed bytes did not change); a prevote's signature covered other bytes, so it
 * cannot be sent again and is left out (null).
 */
function decodeVoteBeforePolRound(bytes: Uint8Array): Vote | null {
  const reader = new Reader(bytes, 'guard record vote (version 1)');
  const typeCode = reader.u8('vote type');
  const height = reader.u64Number('height', consensusHeightMax);
  const round = reader.u32('round');
  const flag = reader.u8('value flag');
  const hash = reader.bytes(consensusHashBytes, 'block hash');
  const voter = reader.bytes(consensusKeyBytes, 'voter');
  const signature = reader.bytes(consensusSignatureBytes, 'signature');
  reader.end();
  if (typeCode !== 2) return null;
  // Re-encoded and decoded, so every rule of today's layout applies.
  return decodeVote(encodeVote({ type: 'precommit', height, round, polRound: -1, blockHash: flag === 0 ? null : hash, voter, signature }));
}

export function decodeGuardRecord(bytes: Uint8Array): GuardRecord {
  if (bytes.length > consensusGuardRecordBytesMax) throw new AgentError('CONSENSUS_TOO_LARGE', `guard record: ${bytes.length} bytes`);
  const reader = new Reader(bytes, 'guard record');
  const version = reader.u8('version');
  if (version !== consensusMessageVersion && version !== guardRecordVersionBeforePolRound) reader.fail('CONSENSUS_UNKNOWN_VERSION', 'unknown version');
  const height = reader.u64Number('height', consensusHeightMax);
  const round = reader.u32('round');
  const step = stepByCode.get(reader.u8('step')) ?? reader.fail('CONSENSUS_UNKNOWN_KIND', 'step');
  const digest = reader.bytes(consensusHashBytes, 'digest');
  const signature = reader.bytes(consensusSignatureBytes, 'signature');
  const hasLock = reader.u8('lock flag');
  const lockHeight = reader.u64Number('lock height', consensusHeightMax);
  const lockRound = reader.u32('lock round');
  const lockHash = reader.bytes(consensusHashBytes, 'lock hash');
  if (hasLock > 1 || (hasLock === 0 && (lockHeight !== 0 || lockRound !== 0 || lockHash.some((byte) => byte !== 0)))) reader.fail('CONSENSUS_NON_CANONICAL', 'lock');
  const count = reader.u8('vote count');
  if (count > consensusGuardVotesMax) reader.fail('CONSENSUS_TOO_LARGE', `${count} votes, at most ${consensusGuardVotesMax}`);
  const votes =
    version === guardRecordVersionBeforePolRound
      ? Array.from({ length: count }, (_, index) => decodeVoteBeforePolRound(reader.bytes(voteBytesBeforePolRound, `vote ${index}`))).filter((vote) => vote !== null)
      : Array.from({ length: count }, (_, index) => decodeVote(reader.bytes(consensusVoteBytes, `vote ${index}`)));
  reader.end();
  return { height, round, step, digest, signature, lock: hasLock === 1 ? { height: lockHeight, round: lockRound, blockHash: lockHash } : null, votes };
}

/** A store that keeps the encoded record in memory: tests and the simulator (it outlives a "crash"). */
export class MemoryGuardStore implements GuardStore {
  #bytes: Uint8Array | null = null;
  writes = 0;

  read(): GuardRecord | null {
    return this.#bytes === null ? null : decodeGuardRecord(this.#bytes);
  }

  write(record: GuardRecord): void {
    this.#bytes = encodeGuardRecord(record);
    this.writes++;
  }
}
