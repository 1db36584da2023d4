/**
 * Accounts (agent/daemon/accounts.ts, login.ts): one compliance suite over the in-memory and
 * the SQLite store (STYLE 11), the first-come login rule, and the SQLite file surviving a reopen
 * beside another component's `user_version`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { after, describe, test } from 'node:test';
import { accountsMax } from '../../agent/constants.ts';
import { MemoryAccountStore, SqliteAccountStore, type AccountStore } from '../../agent/daemon/accounts.ts';
import { decideLogin, type LoginRequest } from '../../agent/daemon/login.ts';
import { AgentError } from '../../agent/errors.ts';

const directory = mkdtempSync(join(tmpdir(), 'parley-accounts-'));
after(() => rmSync(directory, { recursive: true, force: true }));

const alice = 'aa'.repeat(32);
const mallory = 'bb'.repeat(32);
let files = 0;

const stores: [string, () => AccountStore][] = [
  ['memory', () => new MemoryAccountStore()],
  ['sqlite', () => SqliteAccountStore.open(join(directory, `accounts-${++files}.sqlite`))],
];

function request(loginText: string, walletKeyHex: string, mayCreate = () => true): LoginRequest {
  return { loginText, walletKeyHex, agentName: 'agent1', wallMs: 1_700_000_000_000, mayCreate };
}

for (const [kind, open] of stores) {
  describe(`account store compliance: ${kind}`, () => {
    test('create binds a name once; get returns the binding', () => {
      const store = open();
      assert.equal(store.create({ name: 'alice', walletKeyHex: alice, createdMs: 1 }), true, 'the first create binds');
      assert.equal(store.create({ name: 'alice', walletKeyHex: mallory, createdMs: 2 }), false, 'a second create of the name is refused');
      assert.deepEqual(store.get('alice'), { name: 'alice', walletKeyHex: alice, createdMs: 1 }, 'the first binding stays');
      assert.equal(store.get('bob'), undefined, 'an unknown name');
      assert.equal(store.count(), 1, 'one account');
      store.close();
    });

    test('the first login binds, the same key logs in again, another key is refused as taken', () => {
      const store = open();
      const first = decideLogin(store, request('alice@agent1', alice));
      assert.deepEqual(first, { ok: true, login: 'alice@agent1', wallet: 'alice', created: true }, 'created');
      assert.deepEqual(decideLogin(store, request('alice@agent1', alice)), { ok: true, login: 'alice@agent1', wallet: 'alice', created: false }, 'the same key again');
      const taken = decideLogin(store, request('alice@agent1', mallory));
      assert.ok(!taken.ok && taken.reason === 'taken' && taken.code === 'ACCOUNT_TAKEN', `taken: ${JSON.stringify(taken)}`);
      assert.match(taken.message, /alice@agent1 is bound to another wallet key/, 'the message names the login');
      store.close();
    });

    test('bad names, other agents and the creation limit are refused with their reason', () => {
      const store = open();
      const bad = decideLogin(store, request('Alice@agent1', alice));
      assert.ok(!bad.ok && bad.reason === 'bad-name', `bad name: ${JSON.stringify(bad)}`);
      assert.match(bad.ok ? '' : bad.message, /upper-case/, 'the names/ message');
      const elsewhere = decideLogin(store, request('alice@agent2', alice));
      assert.ok(!elsewhere.ok && elsewhere.reason === 'not-here', `not here: ${JSON.stringify(elsewhere)}`);
      const limited = decideLogin(store, request('carol@agent1', alice, () => false));
      assert.ok(!limited.ok && limited.reason === 'rate-limited', `rate limited: ${JSON.stringify(limited)}`);
      assert.equal(store.get('carol'), undefined, 'nothing bound when refused');
      store.close();
    });

    test('the rate limit is charged only for new accounts', () => {
      const store = open();
      let charged = 0;
      const mayCreate = (): boolean => ++charged > 0;
      decideLogin(store, request('dave@agent1', alice, mayCreate));
      decideLogin(store, request('dave@agent1', alice, mayCreate));
      decideLogin(store, request('dave@agent1', mallory, mayCreate));
      assert.equal(charged, 1, 'one creation, one charge');
      store.close();
    });
  });
}

test('a full agent refuses new names but not returning wallets', () => {
  const store = new MemoryAccountStore();
  store.create({ name: 'alice', walletKeyHex: alice, createdMs: 1 });
  const full: AccountStore = { get: (name) => store.get(name), create: (record) => store.create(record), count: () => accountsMax, close: () => {} };
  assert.ok(decideLogin(full, request('alice@agent1', alice)).ok, 'alice still logs in');
  const refused = decideLogin(full, request('erin@agent1', alice));
  assert.ok(!refused.ok && refused.reason === 'full', `full: ${JSON.stringify(refused)}`);
});

test('the SQLite accounts survive a reopen and leave user_version to the ledger', () => {
  const path = join(directory, 'reopen.sqlite');
  const store = SqliteAccountStore.open(path);
  store.create({ name: 'alice', walletKeyHex: alice, createdMs: 5 });
  store.close();
  const db = new Database(path);
  assert.equal(db.pragma('user_version', { simple: true }), 0, 'user_version untouched');
  db.close();
  const reopened = SqliteAccountStore.open(path);
  assert.deepEqual(reopened.get('alice'), { name: 'alice', walletKeyHex: alice, createdMs: 5 }, 'the binding persisted');
  assert.equal(reopened.count(), 1, 'the count is read back');
  reopened.close();
});

test('an accounts table from a newer version is refused', () => {
  const path = join(directory, 'newer.sqlite');
  const db = new Database(path);
  db.exec('CREATE TABLE account_schema (version INTEGER NOT NULL); INSERT INTO account_schema VALUES (99);');
  db.close();
  assert.throws(() => SqliteAccountStore.open(path), (error: unknown) => error instanceof AgentError && error.code === 'ACCOUNT_STORE_SCHEMA_TOO_NEW', 'refused');
});
