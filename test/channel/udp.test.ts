import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { seededRng, systemClock } from '../../names/index.ts';
import { connectChannel } from '../../rendezvous/channel/index.ts';
import { channelMessageBytesMax } from '../../rendezvous/constants.ts';
import { openUdpTransport } from '../../rendezvous/net/index.ts';
import type { Address } from '../../rendezvous/net/index.ts';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const peerScript = fileURLToPath(new URL('./udp-peer.ts', import.meta.url));

test('the channel carries messages over real UDP on loopback between two processes', { timeout: 120_000 }, async (t) => {
  const seed = Number(process.env.PARLEY_SEED ?? 7);
  const child = spawn(process.execPath, ['--import', 'tsx', peerScript], { cwd: projectRoot, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  const transport = await openUdpTransport();
  try {
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const hello = JSON.parse(String((await lines.next()).value)) as { address: Address };
    child.stdin!.write(`${transport.localAddress}\n`);
    const driver = connectChannel(transport, hello.address, { clock: systemClock, immediate: setImmediate });
    const logs: string[] = [];
    driver.onLog((entry) => logs.push(`${entry.code} ${entry.message}`));

    const rng = seededRng(seed);
    const sizes = Array.from({ length: 3000 }, () => (rng.unit() < 0.9 ? 1 + rng.below(512) : 512 + rng.below(32_768)));
    sizes[100] = channelMessageBytesMax;
    sizes[2000] = 500_000;
    const messages = sizes.map((size) => rng.bytes(size));
    const expected = messages.map((message) => createHash('sha256').update(message).digest('hex'));
    const totalBytes = sizes.reduce((sum, size) => sum + size, 0);

    const replies: Uint8Array[] = [];
    const started = performance.now();
    const allReplied = new Promise<void>((resolve) => {
      driver.onMessage((reply) => {
        replies.push(reply);
        if (replies.length === messages.length) resolve();
      });
    });
    let next = 0;
    const go = (): void => {
      while (next < messages.length && driver.send(messages[next]!)) next++;
    };
    driver.onWritable(go);
    go();
    await allReplied;
    const elapsedMs = performance.now() - started;

    replies.forEach((reply, index) => {
      assert.equal(Buffer.from(reply.subarray(0, 32)).toString('hex'), expected[index], `seed ${seed}: message ${index} arrived altered`);
      assert.equal(new DataView(reply.buffer, reply.byteOffset).getUint32(32), sizes[index], `seed ${seed}: message ${index} length`);
    });
    const stats = driver.stats();
    t.diagnostic(
      `${messages.length} messages, ${(totalBytes / 1e6).toFixed(1)} MB in ${elapsedMs.toFixed(0)} ms ` +
        `(${(totalBytes / 1e6 / (elapsedMs / 1000)).toFixed(1)} MB/s round trip); ${stats.sender.retransmissions} retransmissions, ` +
        `srtt ${stats.smoothedRttMs?.toFixed(2)} ms`,
    );
    assert.deepEqual(logs, [], 'nothing dropped');
    driver.close();
  } finally {
    child.stdin!.end();
    await transport.close();
    await exited;
  }
});
