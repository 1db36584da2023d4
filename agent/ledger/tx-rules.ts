import { isValidXOnlyPublicKey } from '../../names/index.ts';
import { ledgerAmountLimit } from '../constants.ts';
import { AgentError } from '../errors.ts';
import type { ChainParameters } from './block-params.ts';
import { outpointId } from './tx-hash.ts';
import { agentNameProblem, globalNameProblem } from './tx-name.ts';
import type { Action, Endpoint, Transaction } from './tx-types.ts';

export type RuleOptions = {
  /**
   * Check that every key is a point on the curve (a square root each: most of a transaction's
   * cost after its signatures). Off only for a transaction that passed these checks on admission.
   */
  readonly checkKeys: boolean;
};

/**
 * The rules a transaction must follow whatever the state: a mempool checks them on admission,
 * apply-tx.ts again before it looks anything up. Throws a typed AgentError; `encodedBytes` is
 * the length of the transaction's canonical encoding (fees are per byte).
 */
export function checkTransactionRules(tx: Transaction, params: ChainParameters, encodedBytes: number, isGenesis: boolean, options: RuleOptions = { checkKeys: true }): void {
  checkInputs(tx, isGenesis);
  const outputTotal = checkOutputs(tx, params, options.checkKeys);
  if (outputTotal + tx.fee >= ledgerAmountLimit) {
    throw new AgentError('LEDGER_AMOUNT_OVERFLOW', `outputs ${outputTotal} plus fee ${tx.fee} do not fit in a u64`);
  }
  tx.actions.forEach((action, index) => checkAction(action, `action ${index}`, options.checkKeys));
  if (isGenesis) return;
  const feeMin = params.feePerByteMin * BigInt(encodedBytes) + params.actionFeeMin * BigInt(tx.actions.length);
  if (tx.fee < feeMin) throw new AgentError('LEDGER_FEE_TOO_LOW', `fee ${tx.fee}, at least ${feeMin} for ${encodedBytes} bytes and ${tx.actions.length} actions`);
}

/** The sum of the outputs (each checked against dust and for a valid key). */
function checkOutputs(tx: Transaction, params: ChainParameters, checkKeys: boolean): bigint {
  let total = 0n;
  tx.outputs.forEach((output, index) => {
    if (output.amount < params.outputAmountMin) {
      throw new AgentError('LEDGER_DUST_OUTPUT', `output ${index}: amount ${output.amount}, at least ${params.outputAmountMin}`);
    }
    // An output to a key that is not a point could never be spent.
    if (checkKeys && !isValidXOnlyPublicKey(output.key)) throw new AgentError('LEDGER_BAD_KEY', `output ${index}: key is not a BIP340 x-only public key`);
    // The host need not be checked here: apply-tx.ts requires it to be a live agent.
    total += output.amount;
  });
  return total;
}

function checkInputs(tx: Transaction, isGenesis: boolean): void {
  if (isGenesis) {
    // Genesis only mints: it has nothing to spend and nobody to pay a fee to.
    if (tx.inputs.length > 0) throw new AgentError('LEDGER_BAD_GENESIS', `genesis transaction with ${tx.inputs.length} inputs`);
    if (tx.fee !== 0n) throw new AgentError('LEDGER_BAD_GENESIS', `genesis transaction with fee ${tx.fee}`);
    return;
  }
  // Every later transaction spends something: this is what makes it unique and pays its fee.
  if (tx.inputs.length === 0) throw new AgentError('LEDGER_NO_INPUTS', 'a transaction after genesis must spend at least one output');
  const seen = new Set<string>();
  tx.inputs.forEach((input, index) => {
    const id = outpointId(input);
    if (seen.has(id)) throw new AgentError('LEDGER_DUPLICATE_INPUT', `input ${index}: outpoint ${id} is spent twice in one transaction`);
    seen.add(id);
  });
}

function checkAction(action: Action, field: string, checkKeys: boolean): void {
  const problem = action.kind === 'agentRegister' ? agentNameProblem(action.name) : globalNameProblem(action.name);
  if (problem !== undefined) throw new AgentError('LEDGER_BAD_NAME', `${field}: ${problem}`);
  switch (action.kind) {
    case 'nameRegister':
    case 'nameTransfer':
      if (checkKeys && !isValidXOnlyPublicKey(action.owner)) throw new AgentError('LEDGER_BAD_KEY', `${field}: owner is not a BIP340 x-only public key`);
      return;
    case 'nameRenew':
      return;
    case 'agentRegister':
      if (checkKeys && !isValidXOnlyPublicKey(action.key)) throw new AgentError('LEDGER_BAD_KEY', `${field}: agent key is not a BIP340 x-only public key`);
      checkEndpoint(action.endpoint, `${field} endpoint`);
      return;
  }
}

/**
 * An endpoint others can send to: a port, an address that is not "any", and one spelling per
 * address — an IPv4 address is family 4, never IPv4-mapped IPv6 (RFC 4291 §2.5.5.2).
 */
function checkEndpoint(endpoint: Endpoint, field: string): void {
  if (endpoint.port === 0) throw new AgentError('LEDGER_BAD_ENDPOINT', `${field}: port 0`);
  if (endpoint.address.every((byte) => byte === 0)) throw new AgentError('LEDGER_BAD_ENDPOINT', `${field}: the unspecified address`);
  const mapped = endpoint.family === 6 && endpoint.address.subarray(0, 10).every((byte) => byte === 0) && endpoint.address[10] === 0xff && endpoint.address[11] === 0xff;
  if (mapped) throw new AgentError('LEDGER_BAD_ENDPOINT', `${field}: an IPv4-mapped IPv6 address; write it as family 4`);
}
