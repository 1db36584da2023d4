/**
 * Ledger transactions as plain data (UTXO model). Byte layouts are in tx-codec.ts and
 * docs/PROTOCOL.md "Ledger"; the rules that make a transaction valid are in tx-rules.ts
 * (stateless) and apply-tx.ts (against the state).
 */

/** A reference to one output of an earlier transaction. */
export type Outpoint = {
  /** The transaction hash (tx-hash.ts), which excludes signatures, so it cannot be malleated. */
  readonly txHash: Uint8Array;
  readonly index: number;
};

export type Output = {
  /** Base units; u64. */
  readonly amount: bigint;
  /** BIP340 x-only key that may spend it; may be a MuSig2 aggregate key of several wallets. */
  readonly key: Uint8Array;
  /** Identity key of the agent this output is hosted with: the output is stake for that agent. */
  readonly host: Uint8Array;
};

/** A UDP endpoint an agent listens on: an IPv4 or IPv6 address and a port. */
export type Endpoint = {
  readonly family: 4 | 6;
  /** 4 or 16 bytes, network order. */
  readonly address: Uint8Array;
  readonly port: number;
};

/** Global names are registered first come, and expire unless renewed (ChainParameters.nameLifetimeBlocks). */
export type NameRegister = { readonly kind: 'nameRegister'; readonly name: string; readonly owner: Uint8Array };
/** Extends a live name's expiry to height + nameLifetimeBlocks. Signed by the current owner. */
export type NameRenew = { readonly kind: 'nameRenew'; readonly name: string };
/** Hands a live name to another key. Signed by the current owner. */
export type NameTransfer = { readonly kind: 'nameTransfer'; readonly name: string; readonly owner: Uint8Array };
/**
 * Registers (or updates) the agent with identity `key` under the global name `name`, which
 * `key` must own: an agent is a peer registered under a global name, so it lives as long as
 * its name does. Signed by `key`.
 */
export type AgentRegister = { readonly kind: 'agentRegister'; readonly name: string; readonly key: Uint8Array; readonly endpoint: Endpoint };

export type Action = NameRegister | NameRenew | NameTransfer | AgentRegister;
export type ActionKind = Action['kind'];

export type Transaction = {
  readonly version: 1;
  readonly inputs: readonly Outpoint[];
  readonly outputs: readonly Output[];
  /** Burned: sum(inputs) = sum(outputs) + fee (docs/DECISIONS.md "Ledger"). */
  readonly fee: bigint;
  /** Hash of the contract this payment fulfils, if any. */
  readonly commitment: Uint8Array | null;
  readonly actions: readonly Action[];
  /**
   * One BIP340 signature per distinct authorizing key, in the order of first appearance
   * (tx-sign.ts): the keys of the spent outputs in input order, then each action's key.
   */
  readonly signatures: readonly Uint8Array[];
};

/** A transaction without its signatures: what the transaction hash covers. */
export type UnsignedTransaction = Omit<Transaction, 'signatures'>;
