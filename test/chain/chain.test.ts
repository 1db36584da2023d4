import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { bytesToHex, schnorrPublicKey, schnorrSign, seededRng } from '../../names/index.ts';
import { chainBlockHash, decodeChainBlock, splitChainBlock } from '../../agent/chain/block.ts';
import { ChainStore } from '../../agent/chain/store.ts';
import { makeEvidence, voteDigest, type Vote } from '../../agent/consensus/index.ts';
import { AgentError } from '../../agent/errors.ts';
import { makeChain, parameters, parametersHash, payment, startAgents, stopAgents, tempDir, until } from './helpers.ts';

/**
 * The ledger as consensus's application, in one process: four agents with real ledger files and
 * real BIP340, messages passed on the event loop. What the chain adds to consensus is checked
 * here: agreement, signatures verified once on admission, each block applied once per agent,
 * certificates and seeds stored with the block, evidence recorded on chain and its offender out
 * of the next peer sets, and restart from the file.
 */

test('four agents finalize blocks with transactions; each transaction is verified once and each block applied once per agent', async (t) => {
  const dir = tempDir();
  const chain = makeChain(1);
  const agents = startAgents(chain, dir);
  t.after(() => {
    stopAgents(agents);
    rmSync(dir, { recursive: true, force: true });
  });
  const payments = Array.from({ length: 20 }, (_, index) => payment(chain, index));
  // Every payment reaches every agent (as gossip would); an agent admits each exactly once.
  for (const agent of agents) for (const bytes of payments) assert.ok(agent.mempool.add(bytes).ok, 'a valid payment is admitted');
  for (const agent of agents) for (const bytes of payments) assert.equal(agent.mempool.add(bytes).ok, false, 'a repeat is a duplicate');
  await until('the payments to be final everywhere', () => agents.every((agent) => agent.finalized.reduce((sum, block) => sum + block.block.ledger.transactions.length, 0) === payments.length));
  await until('height 6 everywhere', () => agents.every((agent) => agent.app.tip().height >= 6));
  for (const agent of agents) assert.equal(agent.mempool.verifications, payments.length, `agent ${agent.index} verified each payment once`);
  const heights = Math.min(...agents.map((agent) => agent.app.tip().height));
  for (let height = 1; height <= heights; height++) {
    const hashes = new Set(agents.map((agent) => bytesToHex(agent.app.decision(height)!.blockHash)));
    assert.equal(hashes.size, 1, `one block at height ${height}`);
  }
  for (const agent of agents) {
    for (const [hash, count] of agent.app.applied) assert.equal(count, 1, `agent ${agent.index} applied block ${hash.slice(0, 16)} ${count} times`);
    assert.ok(agent.app.applied.size > 0, `agent ${agent.index} validated blocks of other proposers`);
    assert.equal(agent.mempool.size, 0, 'committed payments left the pool');
  }
});

test('a decision read back from the file is the certified block: its hash, certificate and section', async (t) => {
  const dir = tempDir();
  const chain = makeChain(2);
  const agents = startAgents(chain, dir);
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const agent of agents) agent.mempool.add(payment(chain, 0));
  await until('height 4', () => agents.every((agent) => agent.app.tip().height >= 4));
  stopAgents(agents);
  const store = ChainStore.open(join(dir, 'agent0.sqlite'), parameters);
  try {
    const tip = store.ledger.tip()!.header.height;
    for (let height = 1; height <= tip; height++) {
      const bytes = store.blockBytes(height)!;
      const row = store.row(height)!;
      assert.equal(bytesToHex(chainBlockHash(bytes)!), bytesToHex(row.hash), `height ${height}: the rebuilt block hashes to the stored hash`);
      assert.equal(bytesToHex(row.certificate!.blockHash), bytesToHex(row.hash), `height ${height}: the certificate is for this block`);
      const section = decodeChainBlock(bytes).section;
      assert.equal(section.previousCertificate === null, height === 1, `height ${height}: the block records the previous certificate (none after genesis)`);
      if (height > 1) assert.equal(bytesToHex(section.previousCertificate!.blockHash), bytesToHex(store.row(height - 1)!.hash), 'the recorded certificate is for the parent');
      assert.equal(bytesToHex(row.seed!), bytesToHex(store.row(height - 1)!.nextSeed), `height ${height}: its seed is the parent's next seed`);
    }
  } finally {
    store.close();
  }
});

test('agents restart from their files and go on; a file whose chain rows lag its ledger is refused', async (t) => {
  const dir = tempDir();
  const chain = makeChain(3);
  let agents = startAgents(chain, dir);
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await until('height 3', () => agents.every((agent) => agent.app.tip().height >= 3));
  stopAgents(agents);
  const before = Math.max(...agents.map((agent) => agent.app.tip().height));
  agents = startAgents(chain, dir);
  await until('progress after restart', () => agents.every((agent) => agent.app.tip().height >= before + 3));
  stopAgents(agents);
  const path = join(dir, 'agent1.sqlite');
  const store = ChainStore.open(path, parameters);
  const tip = store.ledger.tip()!.header.height;
  store.ledger.database.prepare('DELETE FROM chain_blocks WHERE height = ?').run(tip);
  store.close();
  assert.throws(() => ChainStore.open(path, parameters), (error: unknown) => error instanceof AgentError && error.code === 'CHAIN_STORE_MISMATCH', 'a tip without its certificate row is refused');
});

test('evidence of equivocation is recorded on chain and its offender leaves every later peer set', async (t) => {
  const dir = tempDir();
  const chain = makeChain(4);
  const agents = startAgents(chain, dir);
  t.after(() => {
    stopAgents(agents);
    rmSync(dir, { recursive: true, force: true });
  });
  await until('height 2', () => agents.every((agent) => agent.app.tip().height >= 2));
  const offenderSecret = chain.agentKeys[3]!;
  const offender = schnorrPublicKey(offenderSecret);
  const height = agents[0]!.app.tip().height;
  const vote = (blockHash: Uint8Array | null): Vote => ({
    type: 'prevote',
    height,
    round: 7,
    polRound: -1,
    blockHash,
    voter: offender,
    signature: schnorrSign(voteDigest(parametersHash, 'prevote', height, 7, blockHash), offenderSecret),
  });
  const evidence = makeEvidence(vote(null), vote(seededRng(5).bytes(32)));
  // One agent hears of it; the next proposer that holds it puts it in a block.
  agents[0]!.app.submitEvidence(evidence as never);
  const offenderHex = bytesToHex(offender);
  await until('the conviction on every agent', () => agents.every((agent) => agent.app.standing.banned.has(offenderHex)));
  const convictedAt = agents[0]!.app.standing.banned.get(offenderHex)!;
  const recorded = agents[0]!.finalized.find((block) => block.height === convictedAt)!;
  assert.equal(recorded.block.section.evidence.length, 1, 'the block of the conviction carries the evidence');
  await until('a height past the conviction', () => agents.every((agent) => agent.app.tip().height >= convictedAt + 2));
  for (const agent of agents) {
    const next = agent.app.peerSet(convictedAt + 1)!;
    assert.equal(next.indexByKey.has(offenderHex), false, `agent ${agent.index}: the offender votes no more`);
    assert.equal(next.peers.length, 3, 'three peers remain');
  }
});

test('chain block framing: garbage is not a block, and every decoding failure is typed', () => {
  const chain = makeChain(5);
  const parts = splitChainBlock(chain.genesis.block)!;
  assert.ok(parts.sectionBytes.length > 0, 'genesis has a section');
  assert.equal(chainBlockHash(new Uint8Array(3)), null, 'three bytes are no block');
  const rng = seededRng(9);
  for (let run = 0; run < 2_000; run++) {
    const bytes = rng.bytes(rng.below(400));
    if (run % 2 === 0 && bytes.length > 8) new DataView(bytes.buffer).setUint32(0, Math.min(bytes.length - 5, 217 + 4 + rng.below(20)));
    try {
      decodeChainBlock(bytes);
    } catch (error) {
      assert.ok(error instanceof AgentError, `only typed errors (${String(error)})`);
    }
  }
});
