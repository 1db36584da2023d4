import { bytesToHex } from '../../names/index.ts';
import { ledgerAmountLimit } from '../constants.ts';
import { AgentError } from '../errors.ts';
import { applyAction, record } from './apply-actions.ts';
import type { ChainParameters } from './block-params.ts';
import type { StateOverlay } from './state-overlay.ts';
import { isLiveAgent } from './state-stake.ts';
import type { OutputRecord } from './state-types.ts';
import { hashTransaction, outpointId, type HashedTransaction } from './tx-hash.ts';
import { checkTransactionRules } from './tx-rules.ts';
import { verifyTransactionSignatures } from './tx-sign.ts';
import type { Transaction } from './tx-types.ts';

export type TransactionContext = {
  readonly params: ChainParameters;
  readonly parametersHash: Uint8Array;
  readonly height: number;
  /** Position of the transaction in its block, and its leaf index in the transaction log. */
  readonly position: number;
  readonly logIndex: number;
  /**
   * True when this exact transaction (witness hash: signatures included) passed its expensive
   * stateless checks on mempool admission — signatures verified, keys checked to be points — so
   * apply does not repeat them (issue 6: verify once). The rest of the rules run every time.
   */
  readonly preverified?: (witnessHash: Uint8Array) => boolean;
};

/**
 * Applies one transaction to the overlay, or throws a typed AgentError and leaves the overlay
 * in an unspecified state (apply-block.ts discards it). Checks run cheapest first; signatures last.
 */
export function applyTransaction(overlay: StateOverlay, tx: Transaction, context: TransactionContext): HashedTransaction {
  const { params, height } = context;
  const isGenesis = height === 0;
  const hashed = hashTransaction(tx);
  const { txHash } = hashed;
  const preverified = context.preverified?.(hashed.witnessHash) === true;
  checkTransactionRules(tx, params, hashed.bytes.length, isGenesis, { checkKeys: !preverified });
  // A transaction on the chain has spent its inputs, so one whose inputs are all unspent is not on
  // it: the duplicate lookup (a read of the transactions table) runs only when an input is missing
  // or spent, and first, so a replay still fails as a duplicate, not as a double spend.
  const found = tx.inputs.map((input) => overlay.output(input));
  if ((tx.inputs.length === 0 || found.some((record) => record === undefined || record.spentHeight !== null)) && overlay.hasTransaction(txHash)) {
    throw new AgentError('LEDGER_DUPLICATE_TRANSACTION', `transaction ${bytesToHex(txHash)} is already on the chain`);
  }

  const spent = tx.inputs.map((input, index) => unspentOutput(input, found[index], `input ${index}`));
  const authorizingKeys = spent.map((record) => record.output.key);
  const actionContext = { height, txHash, nameLifetimeBlocks: params.nameLifetimeBlocks };
  tx.actions.forEach((action, index) => authorizingKeys.push(applyAction(overlay, action, actionContext, `action ${index}`)));
  // After the actions: a transaction may register an agent and host an output with it.
  tx.outputs.forEach((output, index) => {
    if (!isLiveAgent(overlay, output.host, height)) throw new AgentError('LEDGER_UNKNOWN_HOST', `output ${index}: host ${bytesToHex(output.host)} is not a live agent`);
  });

  const inputTotal = spent.reduce((sum, record) => sum + record.output.amount, 0n);
  const outputTotal = tx.outputs.reduce((sum, output) => sum + output.amount, 0n);
  if (isGenesis) {
    const supply = (overlay.tip()?.supply ?? 0n) + overlay.supplyDelta + outputTotal;
    if (supply >= ledgerAmountLimit) throw new AgentError('LEDGER_AMOUNT_OVERFLOW', `genesis mints ${supply}, more than a u64 holds`);
  } else if (inputTotal !== outputTotal + tx.fee) {
    throw new AgentError('LEDGER_VALUE_NOT_CONSERVED', `inputs ${inputTotal} ≠ outputs ${outputTotal} + fee ${tx.fee}`);
  }

  if (!preverified) verifyTransactionSignatures(tx, txHash, context.parametersHash, authorizingKeys);

  for (const record of spent) spend(overlay, record, height, txHash);
  tx.outputs.forEach((output, index) => {
    overlay.putOutput({ outpoint: { txHash, index }, output, createdHeight: height, spentHeight: null });
    overlay.addStake(output.host, output.amount);
    record(overlay, { kind: 'outputCreated', height, txHash, key: output.key, index, amount: output.amount, host: output.host });
  });
  overlay.addTransaction({ txHash, height, position: context.position, logIndex: context.logIndex, bytes: hashed.bytes });
  overlay.supplyDelta += outputTotal - inputTotal;
  overlay.feesBurnedDelta += tx.fee;
  return hashed;
}

function unspentOutput(input: { txHash: Uint8Array; index: number }, found: OutputRecord | undefined, field: string): OutputRecord {
  if (found === undefined) throw new AgentError('LEDGER_UNKNOWN_OUTPUT', `${field}: no output ${outpointId(input)}`);
  if (found.spentHeight !== null) {
    throw new AgentError('LEDGER_DOUBLE_SPEND', `${field}: output ${outpointId(input)} was spent in block ${found.spentHeight}`);
  }
  return found;
}

function spend(overlay: StateOverlay, found: OutputRecord, height: number, txHash: Uint8Array): void {
  overlay.putOutput({ ...found, spentHeight: height });
  overlay.addStake(found.output.host, -found.output.amount);
  record(overlay, { kind: 'outputSpent', height, txHash, key: found.output.key, outpoint: found.outpoint });
}
