import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChainParameters } from '../../agent/ledger/block-params.ts';
import { memoryContents, type LedgerContents } from '../../agent/ledger/state-contents.ts';
import { MemoryLedgerStore } from '../../agent/ledger/state-memory.ts';
import type { LedgerStore } from '../../agent/ledger/state-types.ts';
import type { ApplyOptions, ApplyResult } from '../../agent/ledger/apply-block.ts';
import type { Block } from '../../agent/ledger/block-types.ts';
import { sqliteContents } from '../../agent/ledger/store-contents.ts';
import { SqliteLedgerStore, type SqliteLedgerOptions } from '../../agent/ledger/store-sqlite.ts';

/** One store kind as the compliance suite drives it. */
export type StoreUnderTest = LedgerStore & {
  apply(block: Block, options?: ApplyOptions): ApplyResult;
  contents(): LedgerContents;
  close(): void;
};

export type StoreKind = { readonly name: string; open(params: ChainParameters): StoreUnderTest };

export const memoryStoreKind: StoreKind = {
  name: 'memory',
  open(params) {
    const store = MemoryLedgerStore.empty(params);
    return Object.assign(store, { contents: () => memoryContents(store.state), close: () => {} });
  },
};

/** A fresh directory per store; removed on close. */
export function sqliteStoreKind(options: SqliteLedgerOptions = {}): StoreKind {
  return {
    name: 'sqlite',
    open(params) {
      const directory = mkdtempSync(join(tmpdir(), 'parley-ledger-'));
      const store = SqliteLedgerStore.open(join(directory, 'ledger.sqlite'), params, options);
      return Object.assign(store, {
        contents: () => sqliteContents(store),
        close: () => {
          SqliteLedgerStore.prototype.close.call(store);
          rmSync(directory, { recursive: true, force: true });
        },
      });
    },
  };
}

export const storeKinds: readonly StoreKind[] = [memoryStoreKind, sqliteStoreKind({ synchronous: 'NORMAL' })];
