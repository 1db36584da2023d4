import { bytesToHex, equalBytes, isValidXOnlyPublicKey, signIdentityMessage, verifyIdentitySignature } from '../../names/index.ts';
import {
  ledgerHashBytes,
  ledgerKeyBytes,
  ledgerSignatureBytes,
  snapshotAttestationBytes,
  snapshotAuthoritiesMax,
  snapshotChunksMax,
  snapshotFormatVersion,
} from '../constants.ts';
import { AgentError, type SnapshotErrorCode } from '../errors.ts';
import { ByteReader, ByteWriter } from '../ledger/tx-bytes.ts';
import { markVerified, type Attestation, type SnapshotClaim, type Verified } from './types.ts';

/**
 * Trustnet attestations (docs/PROTOCOL.md "Snapshots"). An authority signs, with its identity
 * key under the `snapshot` purpose (BIP340 over taggedHash("parley/v1/snapshot", message)):
 *
 *   message = version u8 ‖ chainId[32] ‖ height u64 ‖ blockHash[32] ‖ stateRoot[32] ‖ chunkCount u32
 *
 * and a joining agent starts only from a snapshot that *every* configured authority signed
 * (the utxo-torrent seed: agreement "must be always 100% by design").
 */

/** A trustnet failure that names the authorities at fault (hex keys), for logs and the operator. */
export class TrustnetError extends AgentError {
  constructor(
    code: SnapshotErrorCode,
    message: string,
    readonly authorities: readonly string[],
  ) {
    super(code, message);
  }
}

export function encodeAttestationMessage(claim: SnapshotClaim): Uint8Array {
  expectClaim(claim);
  return new ByteWriter()
    .u8(snapshotFormatVersion)
    .bytes(claim.chainId)
    .u64(BigInt(claim.height))
    .bytes(claim.blockHash)
    .bytes(claim.stateRoot)
    .u32(claim.chunkCount)
    .finish();
}

export function signAttestation(claim: SnapshotClaim, secretKey: Uint8Array, publicKey: Uint8Array, auxRand?: Uint8Array): Attestation {
  const signature = signIdentityMessage('snapshot', encodeAttestationMessage(claim), secretKey, auxRand);
  return { claim, authority: publicKey.slice(), signature };
}

/** True when the signature is the authority's over this claim. */
export function attestationSignatureValid(attestation: Attestation): boolean {
  return verifyIdentitySignature('snapshot', attestation.signature, encodeAttestationMessage(attestation.claim), attestation.authority);
}

/** message[109] ‖ authority key[32] ‖ signature[64]: 205 bytes. */
export function encodeAttestation(attestation: Attestation): Uint8Array {
  return new ByteWriter().bytes(encodeAttestationMessage(attestation.claim)).bytes(attestation.authority).bytes(attestation.signature).finish();
}

export function decodeAttestation(bytes: Uint8Array): Attestation {
  if (!(bytes instanceof Uint8Array) || bytes.length !== snapshotAttestationBytes) {
    throw new AgentError('SNAPSHOT_BAD_ATTESTATION', `attestation: expected ${snapshotAttestationBytes} bytes, got ${bytes instanceof Uint8Array ? bytes.length : typeof bytes}`);
  }
  try {
    const reader = new ByteReader(bytes, 'attestation');
    const version = reader.u8('version');
    if (version !== snapshotFormatVersion) throw new AgentError('SNAPSHOT_BAD_ATTESTATION', `attestation: version ${version}, this code reads ${snapshotFormatVersion}`);
    const claim: SnapshotClaim = {
      chainId: reader.bytes(ledgerHashBytes, 'chainId'),
      height: reader.u64Number('height'),
      blockHash: reader.bytes(ledgerHashBytes, 'blockHash'),
      stateRoot: reader.bytes(ledgerHashBytes, 'stateRoot'),
      chunkCount: reader.u32('chunkCount'),
    };
    const attestation = { claim, authority: reader.bytes(ledgerKeyBytes, 'authority'), signature: reader.bytes(ledgerSignatureBytes, 'signature') };
    reader.end();
    expectClaim(claim);
    return attestation;
  } catch (error) {
    if (error instanceof AgentError && !error.code.startsWith('SNAPSHOT_')) throw new AgentError('SNAPSHOT_BAD_ATTESTATION', error.message);
    throw error;
  }
}

/** Checks a configured authority list: 1..64 distinct BIP340 keys. */
export function checkAuthorities(authorities: readonly Uint8Array[]): void {
  const fail = (message: string): never => {
    throw new AgentError('SNAPSHOT_BAD_AUTHORITIES', `trustnet authorities: ${message}`);
  };
  if (authorities.length === 0 || authorities.length > snapshotAuthoritiesMax) fail(`${authorities.length} keys, expected 1..${snapshotAuthoritiesMax}`);
  const seen = new Set<string>();
  for (const key of authorities) {
    if (!isValidXOnlyPublicKey(key)) fail(`${key instanceof Uint8Array ? bytesToHex(key) : typeof key} is not a BIP340 key`);
    const hex = bytesToHex(key);
    if (seen.has(hex)) fail(`${hex} is listed twice`);
    seen.add(hex);
  }
}

export type TrustedSnapshot = {
  readonly claim: Verified<SnapshotClaim>;
  /** One attestation per configured authority, in configuration order: what an importer keeps. */
  readonly attestations: readonly Attestation[];
};

/**
 * The trustnet rule. Among the attestations (any order, any source, duplicates and strangers
 * allowed), keeps the valid ones by configured authorities for `chainId`, and returns the newest
 * snapshot that every authority signed. Throws TrustnetError:
 * - SNAPSHOT_ATTESTATIONS_CONFLICT when two valid attestations name different states for one
 *   height — at any height, since an authority that signed a wrong state once is not trusted
 *   for the others — naming the authorities behind each version;
 * - SNAPSHOT_ATTESTATION_MISSING when no snapshot has every signature, naming the authorities
 *   missing from the newest snapshot anyone signed.
 */
export function verifyAttestations(authorities: readonly Uint8Array[], attestations: readonly Attestation[], chainId: Uint8Array): TrustedSnapshot {
  checkAuthorities(authorities);
  const configured = new Map(authorities.map((key) => [bytesToHex(key), key]));
  const dropped = new Map<string, string[]>();
  const drop = (authority: string, reason: string): void => {
    dropped.set(authority, [...(dropped.get(authority) ?? []), reason]);
  };
  // height → message hex → (claim, authority hex → attestation)
  const byHeight = new Map<number, Map<string, { claim: SnapshotClaim; signers: Map<string, Attestation> }>>();
  for (const attestation of attestations) {
    const authority = bytesToHex(attestation.authority);
    if (!configured.has(authority)) continue;
    if (!equalBytes(attestation.claim.chainId, chainId)) {
      drop(authority, `one for chain ${bytesToHex(attestation.claim.chainId)}`);
      continue;
    }
    if (!attestationSignatureValid(attestation)) {
      drop(authority, `one with a bad signature at height ${attestation.claim.height}`);
      continue;
    }
    const versions = byHeight.get(attestation.claim.height) ?? new Map();
    byHeight.set(attestation.claim.height, versions);
    const message = bytesToHex(encodeAttestationMessage(attestation.claim));
    const version = versions.get(message) ?? { claim: attestation.claim, signers: new Map() };
    versions.set(message, version);
    version.signers.set(authority, attestation);
  }
  for (const [height, versions] of byHeight) {
    if (versions.size > 1) {
      const sides = [...versions.values()].map((version) => [...version.signers.keys()]);
      const described = sides.map((signers, index) => `version ${index + 1} by ${signers.join(', ')}`).join('; ');
      throw new TrustnetError('SNAPSHOT_ATTESTATIONS_CONFLICT', `trustnet: authorities signed different states at height ${height}: ${described}`, [...new Set(sides.flat())].sort());
    }
  }
  const heights = [...byHeight.keys()].sort((a, b) => b - a);
  for (const height of heights) {
    const [version] = [...byHeight.get(height)!.values()];
    if (version !== undefined && version.signers.size === configured.size) {
      const ordered = [...configured.keys()].map((authority) => version.signers.get(authority)!);
      return { claim: markVerified(version.claim), attestations: ordered };
    }
  }
  const newest = heights[0];
  const signers = newest === undefined ? new Set<string>() : new Set([...byHeight.get(newest)!.values()].flatMap((version) => [...version.signers.keys()]));
  const missing = [...configured.keys()].filter((authority) => !signers.has(authority));
  const details = missing.map((authority) => (dropped.has(authority) ? `${authority} (dropped ${dropped.get(authority)!.join(', ')})` : authority));
  const where = newest === undefined ? 'no snapshot is attested' : `the newest attested snapshot (height ${newest}) lacks`;
  throw new TrustnetError('SNAPSHOT_ATTESTATION_MISSING', `trustnet: ${where} the signature of ${details.join('; ')}, and no older one has every authority's`, missing);
}

function expectClaim(claim: SnapshotClaim): void {
  const fail = (message: string): never => {
    throw new AgentError('SNAPSHOT_BAD_ATTESTATION', `snapshot claim: ${message}`);
  };
  for (const field of ['chainId', 'blockHash', 'stateRoot'] as const) {
    if (!(claim[field] instanceof Uint8Array) || claim[field].length !== ledgerHashBytes) fail(`${field}: expected ${ledgerHashBytes} bytes`);
  }
  if (!Number.isSafeInteger(claim.height) || claim.height < 0) fail(`height ${claim.height}`);
  // A snapshot holds at least its tip record: chunk counts start at 1.
  if (!Number.isInteger(claim.chunkCount) || claim.chunkCount < 1 || claim.chunkCount > snapshotChunksMax) fail(`chunk count ${claim.chunkCount}, expected 1..${snapshotChunksMax}`);
}

/** Hex of an attestation's claim message, for comparing claims. */
export function claimId(claim: SnapshotClaim): string {
  return bytesToHex(encodeAttestationMessage(claim));
}
