import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { systemClock } from '../../names/index.ts';
import { connectChannel } from '../../rendezvous/channel/index.ts';
import { openUdpTransport } from '../../rendezvous/net/index.ts';
import type { Address } from '../../rendezvous/net/index.ts';

/**
 * The far end of test/channel/udp.test.ts, in its own process: prints its UDP address,
 * reads the test's address from stdin, and answers every message on the channel with
 * sha256(message) ‖ u32 length. Exits when stdin closes.
 */
const transport = await openUdpTransport({ log: (entry) => process.stderr.write(`peer transport: ${entry.code} ${entry.message}\n`) });
process.stdout.write(`${JSON.stringify({ address: transport.localAddress })}\n`);
const lines = createInterface({ input: process.stdin });
const iterator = lines[Symbol.asyncIterator]();
const first = await iterator.next();
const peer = String(first.value).trim() as Address;
const driver = connectChannel(transport, peer, { clock: systemClock, immediate: setImmediate });
driver.onLog((entry) => process.stderr.write(`peer channel: ${entry.code} ${entry.message}\n`));
const backlog: Uint8Array[] = [];
const flush = (): void => {
  while (backlog.length > 0 && driver.send(backlog[0]!)) backlog.shift();
};
driver.onWritable(flush);
driver.onMessage((message) => {
  const reply = new Uint8Array(36);
  reply.set(createHash('sha256').update(message).digest());
  new DataView(reply.buffer).setUint32(32, message.length);
  backlog.push(reply);
  flush();
});
for (;;) {
  const next = await iterator.next();
  if (next.done) break;
}
driver.close();
await transport.close();
