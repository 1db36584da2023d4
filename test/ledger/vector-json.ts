import { bytesToHex, hexToBytes } from '../../names/index.ts';
import type { ChainParameters } from '../../agent/ledger/block-params.ts';
import type { BlockHeader } from '../../agent/ledger/block-types.ts';
import type { Action, Endpoint, Transaction } from '../../agent/ledger/tx-types.ts';

/**
 * Language-neutral JSON forms of ledger values for test/ledger/vectors: bytes as hex, u64
 * amounts as decimal strings, everything else as JSON numbers and strings.
 */
export type JsonEndpoint = { family: 4 | 6; address: string; port: number };
export type JsonAction =
  | { kind: 'nameRegister'; name: string; owner: string }
  | { kind: 'nameRenew'; name: string }
  | { kind: 'nameTransfer'; name: string; owner: string }
  | { kind: 'agentRegister'; name: string; key: string; endpoint: JsonEndpoint };
export type JsonTransaction = {
  inputs: { txHash: string; index: number }[];
  outputs: { amount: string; key: string; host: string }[];
  fee: string;
  commitment: string | null;
  actions: JsonAction[];
  signatures: string[];
};
export type JsonHeader = { [K in Exclude<keyof BlockHeader, 'version'>]: BlockHeader[K] extends number ? number : string };
export type JsonParameters = Omit<ChainParameters, 'version' | 'outputAmountMin' | 'feePerByteMin' | 'actionFeeMin'> & {
  outputAmountMin: string;
  feePerByteMin: string;
  actionFeeMin: string;
};

const endpointFromJson = (endpoint: JsonEndpoint): Endpoint => ({ family: endpoint.family, address: hexToBytes(endpoint.address), port: endpoint.port });

function actionFromJson(action: JsonAction): Action {
  switch (action.kind) {
    case 'nameRegister':
    case 'nameTransfer':
      return { kind: action.kind, name: action.name, owner: hexToBytes(action.owner) };
    case 'nameRenew':
      return action;
    case 'agentRegister':
      return { kind: action.kind, name: action.name, key: hexToBytes(action.key), endpoint: endpointFromJson(action.endpoint) };
  }
}

function actionToJson(action: Action): JsonAction {
  switch (action.kind) {
    case 'nameRegister':
    case 'nameTransfer':
      return { kind: action.kind, name: action.name, owner: bytesToHex(action.owner) };
    case 'nameRenew':
      return { kind: action.kind, name: action.name };
    case 'agentRegister':
      return {
        kind: action.kind,
        name: action.name,
        key: bytesToHex(action.key),
        endpoint: { family: action.endpoint.family, address: bytesToHex(action.endpoint.address), port: action.endpoint.port },
      };
  }
}

export function transactionFromJson(json: JsonTransaction): Transaction {
  return {
    version: 1,
    inputs: json.inputs.map((input) => ({ txHash: hexToBytes(input.txHash), index: input.index })),
    outputs: json.outputs.map((output) => ({ amount: BigInt(output.amount), key: hexToBytes(output.key), host: hexToBytes(output.host) })),
    fee: BigInt(json.fee),
    commitment: json.commitment === null ? null : hexToBytes(json.commitment),
    actions: json.actions.map(actionFromJson),
    signatures: json.signatures.map(hexToBytes),
  };
}

export function transactionToJson(tx: Transaction): JsonTransaction {
  return {
    inputs: tx.inputs.map((input) => ({ txHash: bytesToHex(input.txHash), index: input.index })),
    outputs: tx.outputs.map((output) => ({ amount: output.amount.toString(), key: bytesToHex(output.key), host: bytesToHex(output.host) })),
    fee: tx.fee.toString(),
    commitment: tx.commitment === null ? null : bytesToHex(tx.commitment),
    actions: tx.actions.map(actionToJson),
    signatures: tx.signatures.map(bytesToHex),
  };
}

export function headerFromJson(json: JsonHeader): BlockHeader {
  return {
    version: 1,
    parametersHash: hexToBytes(json.parametersHash),
    height: json.height,
    previousHash: hexToBytes(json.previousHash),
    timeMs: json.timeMs,
    transactionCount: json.transactionCount,
    transactionLogRoot: hexToBytes(json.transactionLogRoot),
    outpointRoot: hexToBytes(json.outpointRoot),
    keyEventRoot: hexToBytes(json.keyEventRoot),
    stakeSnapshotRoot: hexToBytes(json.stakeSnapshotRoot),
  };
}

export function headerToJson(header: BlockHeader): JsonHeader {
  return {
    parametersHash: bytesToHex(header.parametersHash),
    height: header.height,
    previousHash: bytesToHex(header.previousHash),
    timeMs: header.timeMs,
    transactionCount: header.transactionCount,
    transactionLogRoot: bytesToHex(header.transactionLogRoot),
    outpointRoot: bytesToHex(header.outpointRoot),
    keyEventRoot: bytesToHex(header.keyEventRoot),
    stakeSnapshotRoot: bytesToHex(header.stakeSnapshotRoot),
  };
}

export function parametersFromJson(json: JsonParameters): ChainParameters {
  return { ...json, version: 1, outputAmountMin: BigInt(json.outputAmountMin), feePerByteMin: BigInt(json.feePerByteMin), actionFeeMin: BigInt(json.actionFeeMin) };
}

export function parametersToJson(params: ChainParameters): JsonParameters {
  const { version: _version, ...rest } = params;
  return { ...rest, outputAmountMin: params.outputAmountMin.toString(), feePerByteMin: params.feePerByteMin.toString(), actionFeeMin: params.actionFeeMin.toString() };
}
