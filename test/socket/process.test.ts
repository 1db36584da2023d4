import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { bytesToHex, generateIdentityKeyPair, hexToBytes, seededRng, systemClock, systemRng } from '../../names/index.ts';
import { channelMessageBytesMax } from '../../rendezvous/constants.ts';
import { openUdpTransport, type Address } from '../../rendezvous/net/index.ts';
import { createEndpoint } from '../../rendezvous/socket/index.ts';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const childScript = fileURLToPath(new URL('./child.ts', import.meta.url));

test('two processes on loopback: IK session, messages up to 1 MiB both ways, clean close', { timeout: 120_000 }, async (t) => {
  const seed = Number(process.env.PARLEY_SEED ?? 5);
  const child = spawn(process.execPath, ['--import', 'tsx', childScript], { cwd: projectRoot, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  const logs: string[] = [];
  const endpoint = createEndpoint({
    transport: await openUdpTransport(),
    clock: systemClock,
    rng: systemRng,
    identity: generateIdentityKeyPair(),
    log: (line) => logs.push(line),
  });
  try {
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const hello = JSON.parse(String((await lines.next()).value)) as { address: Address; identityKey: string; staticKey: string };
    const connection = await endpoint.connect(hello.address, { remoteIdentityKey: hexToBytes(hello.identityKey), remoteStaticKey: hexToBytes(hello.staticKey) });
    assert.equal(connection.peerIdentityKeyHex, hello.identityKey, 'the child proved its identity');

    const rng = seededRng(seed);
    const sizes = Array.from({ length: 1500 }, () => (rng.unit() < 0.9 ? 1 + rng.below(512) : 512 + rng.below(32_768)));
    sizes[100] = channelMessageBytesMax;
    sizes[1000] = 500_000;
    const messages = sizes.map((size) => rng.bytes(size));
    const replies: Uint8Array[] = [];
    const allReplied = new Promise<void>((resolve) => {
      connection.onMessage((reply) => {
        replies.push(reply);
        if (replies.length === messages.length) resolve();
      });
    });
    const started = performance.now();
    for (const message of messages) await connection.send(message);
    await allReplied;
    const elapsedMs = performance.now() - started;
    replies.forEach((reply, index) => {
      assert.equal(bytesToHex(reply.subarray(0, 32)), createHash('sha256').update(messages[index]!).digest('hex'), `seed ${seed}: message ${index} arrived intact`);
      assert.equal(new DataView(reply.buffer, reply.byteOffset).getUint32(32), sizes[index], `seed ${seed}: message ${index} length`);
    });
    const totalBytes = sizes.reduce((sum, size) => sum + size, 0);
    t.diagnostic(`${messages.length} messages, ${(totalBytes / 1e6).toFixed(1)} MB encrypted in ${elapsedMs.toFixed(0)} ms; rtt ${connection.rttMs()?.toFixed(2)} ms`);

    await connection.close();
    const closed = JSON.parse(String((await lines.next()).value)) as { closed: string; peer: string };
    assert.deepEqual(closed, { closed: 'remote-close', peer: bytesToHex(endpoint.identityKey) }, 'the child saw our clean close');
    assert.deepEqual(logs, [], 'nothing was dropped');
  } finally {
    child.stdin!.end();
    await endpoint.close();
    await exited;
  }
});
