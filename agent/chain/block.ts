import { taggedHash } from '../../names/index.ts';
import { chainEvidencePerBlockMax, consensusBlockBytesMax, ledgerHeaderBytes } from '../constants.ts';
import { Reader, Writer } from '../consensus/bytes.ts';
import { decodeCertificate, decodeEvidence, encodeCertificate, encodeEvidence, type Certificate, type Evidence } from '../consensus/index.ts';
import { AgentError } from '../errors.ts';
import { decodeBlock, encodeBlock } from '../ledger/block-codec.ts';
import type { Block } from '../ledger/block-types.ts';
import { ledgerHashTags } from '../ledger/tx-hash.ts';

/**
 * The block consensus orders (docs/PROTOCOL.md "Chain blocks"): a ledger block (version 1,
 * unchanged) followed by a consensus section that records what consensus needs on chain — the
 * proposer's certificate of the previous height (Tendermint's LastCommit, which missed-vote
 * accounting reads) and evidence against equivocating peers.
 *
 *   chain block = ledgerLength u32 ‖ ledger block ‖ section
 *   section     = version u8 (01) ‖ hasCertificate u8 ‖ [length u32 ‖ certificate]
 *                 ‖ evidenceCount u8 ‖ (length u16 ‖ evidence)*
 *   block hash  = tagged("parley/chain/block", ledger header hash ‖ tagged("parley/chain/section", section))
 *
 * The ledger header is not changed (a header v2 would have changed every stored format that
 * holds headers: tips, snapshots, fixtures); the section is bound by the block hash, which is
 * what certificates sign. docs/DECISIONS.md "Chain service" has the trade-off.
 */

export const chainBlockTags = { block: 'parley/chain/block', section: 'parley/chain/section' } as const;
export const chainSectionVersion = 1;

export type ConsensusSection = {
  readonly previousCertificate: Certificate | null;
  readonly evidence: readonly Evidence[];
};

export type ChainBlock = {
  readonly ledger: Block;
  readonly section: ConsensusSection;
};

export const emptySection: ConsensusSection = Object.freeze({ previousCertificate: null, evidence: Object.freeze([]) });

export function encodeSection(section: ConsensusSection): Uint8Array {
  if (section.evidence.length > chainEvidencePerBlockMax) throw new AgentError('CHAIN_BAD_BLOCK', `section: ${section.evidence.length} evidence items, at most ${chainEvidencePerBlockMax}`);
  const writer = new Writer().u8(chainSectionVersion).u8(section.previousCertificate === null ? 0 : 1);
  if (section.previousCertificate !== null) {
    const certificate = encodeCertificate(section.previousCertificate);
    writer.u32(certificate.length).bytes(certificate);
  }
  writer.u8(section.evidence.length);
  for (const item of section.evidence) {
    const bytes = encodeEvidence(item);
    writer.u16(bytes.length).bytes(bytes);
  }
  return writer.finish();
}

export function decodeSection(bytes: Uint8Array): ConsensusSection {
  const reader = new Reader(bytes, 'chain block section');
  if (reader.u8('version') !== chainSectionVersion) reader.fail('CONSENSUS_UNKNOWN_VERSION', 'unknown section version');
  const flag = reader.u8('certificate flag');
  if (flag > 1) reader.fail('CONSENSUS_NON_CANONICAL', 'certificate flag');
  const previousCertificate = flag === 1 ? decodeCertificate(reader.bytes(reader.u32('certificate length'), 'certificate')) : null;
  const count = reader.u8('evidence count');
  if (count > chainEvidencePerBlockMax) reader.fail('CONSENSUS_TOO_LARGE', `${count} evidence items, at most ${chainEvidencePerBlockMax}`);
  const evidence: Evidence[] = [];
  for (let index = 0; index < count; index++) evidence.push(decodeEvidence(reader.bytes(reader.u16(`evidence ${index} length`), `evidence ${index}`)));
  reader.end();
  return { previousCertificate, evidence };
}

/** Joins encoded parts (the proposer has the ledger bytes already). */
export function joinChainBlock(ledgerBytes: Uint8Array, sectionBytes: Uint8Array): Uint8Array {
  return new Writer().u32(ledgerBytes.length).bytes(ledgerBytes).bytes(sectionBytes).finish();
}

export function encodeChainBlock(block: ChainBlock): Uint8Array {
  return joinChainBlock(encodeBlock(block.ledger), encodeSection(block.section));
}

/** Splits without decoding: the ledger block's bytes and the section's, or null when the frame is wrong. */
export function splitChainBlock(bytes: Uint8Array): { readonly ledgerBytes: Uint8Array; readonly sectionBytes: Uint8Array } | null {
  if (bytes.length < 4 || bytes.length > consensusBlockBytesMax) return null;
  const ledgerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
  if (ledgerLength < ledgerHeaderBytes + 4 || 4 + ledgerLength >= bytes.length) return null;
  return { ledgerBytes: bytes.subarray(4, 4 + ledgerLength), sectionBytes: bytes.subarray(4 + ledgerLength) };
}

/** Decodes both parts; every failure is an AgentError (LEDGER_*, CONSENSUS_* or CHAIN_BAD_BLOCK). */
export function decodeChainBlock(bytes: Uint8Array): ChainBlock {
  const parts = splitChainBlock(bytes);
  if (parts === null) throw new AgentError('CHAIN_BAD_BLOCK', `chain block: ${bytes.length} bytes do not frame a ledger block and a section`);
  return { ledger: decodeBlock(parts.ledgerBytes), section: decodeSection(parts.sectionBytes) };
}

export function sectionHash(sectionBytes: Uint8Array): Uint8Array {
  return taggedHash(chainBlockTags.section, sectionBytes);
}

export function chainBlockHashOf(ledgerHeaderHash: Uint8Array, sectionBytes: Uint8Array): Uint8Array {
  return taggedHash(chainBlockTags.block, ledgerHeaderHash, sectionHash(sectionBytes));
}

/**
 * The hash certificates sign, from the bytes without decoding the transactions: the header's
 * canonical 217 bytes are hashed as they stand (a non-canonical header fails validation later,
 * and its hash is then only a name). Null when the bytes are not framed as a chain block.
 */
export function chainBlockHash(bytes: Uint8Array): Uint8Array | null {
  const parts = splitChainBlock(bytes);
  if (parts === null) return null;
  const headerHash = taggedHash(ledgerHashTags.header, parts.ledgerBytes.subarray(0, ledgerHeaderBytes));
  return chainBlockHashOf(headerHash, parts.sectionBytes);
}
