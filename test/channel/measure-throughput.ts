import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../../names/index.ts';
import { connectChannel } from '../../rendezvous/channel/index.ts';
import { openUdpTransport } from '../../rendezvous/net/index.ts';
import type { Address } from '../../rendezvous/net/index.ts';

/**
 * A quick measurement, not a test (docs/DECISIONS.md "Reliable channel"): one-way throughput on
 * loopback between two processes, raw node:dgram (paced, 1200 B) against the reliable channel
 * (no encryption) with 1 KiB and 64 KiB messages.
 *
 *   node --import tsx test/channel/measure-throughput.ts
 */
type Mode = { kind: 'raw'; count: number; size: number; burst: number } | { kind: 'channel'; count: number; size: number };

if (process.argv[2] === 'receiver') await receiver(JSON.parse(process.argv[3]!) as Mode);
else await main();

async function main(): Promise<void> {
  const results: Record<string, unknown>[] = [];
  for (const burst of [16, 32]) results.push(await measure({ kind: 'raw', count: 300_000, size: 1200, burst }));
  results.push(await measure({ kind: 'channel', count: 300_000, size: 1024 }));
  results.push(await measure({ kind: 'channel', count: 3000, size: 65_536 }));
  console.table(results);
  process.exit(0); // the channel drivers' timers would keep the process alive
}

async function measure(mode: Mode): Promise<Record<string, unknown>> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'receiver', JSON.stringify(mode)], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, PARENT_ORIGIN: String(performance.timeOrigin) },
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const { address } = JSON.parse(String((await lines.next()).value)) as { address: Address };
  const transport = await openUdpTransport();
  child.stdin!.write(`${transport.localAddress}\n`);
  const payload = new Uint8Array(mode.size).fill(7);
  const started = performance.now();
  if (mode.kind === 'raw') {
    let sent = 0;
    await new Promise<void>((resolve) => {
      const tick = (): void => {
        for (let index = 0; index < mode.burst && sent < mode.count; index++, sent++) transport.send(payload, address);
        if (sent < mode.count) setImmediate(tick);
        else resolve();
      };
      tick();
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.stdin!.write('done\n');
  } else {
    const driver = connectChannel(transport, address, { clock: systemClock, immediate: setImmediate });
    let sent = 0;
    const go = (): void => {
      while (sent < mode.count && driver.send(payload)) sent++;
    };
    driver.onWritable(go);
    go();
  }
  const report = JSON.parse(String((await lines.next()).value)) as { received: number; lastMs: number };
  const elapsedMs = report.lastMs - started;
  child.stdin!.end();
  await transport.close();
  const seconds = elapsedMs / 1000;
  return {
    mode: mode.kind === 'raw' ? `raw dgram ${mode.size} B, ${mode.burst}/turn` : `channel ${mode.size} B messages`,
    received: `${report.received}/${mode.count}`,
    perSecond: Math.round(report.received / seconds),
    megabytesPerSecond: Number(((report.received * mode.size) / 1e6 / seconds).toFixed(1)),
    elapsedMs: Math.round(elapsedMs),
  };
}

async function receiver(mode: Mode): Promise<void> {
  const transport = await openUdpTransport();
  console.log(JSON.stringify({ address: transport.localAddress }));
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  const peer = String((await lines.next()).value).trim() as Address;
  let received = 0;
  let lastMs = 0;
  let reported = false;
  const report = (): void => {
    if (reported) return;
    reported = true;
    // performance.timeOrigin differs per process; report wall time on the sender's scale
    console.log(JSON.stringify({ received, lastMs: lastMs + performance.timeOrigin - Number(process.env.PARENT_ORIGIN ?? performance.timeOrigin) }));
  };
  const count = (): void => {
    received++;
    lastMs = performance.now();
    if (received === mode.count) report();
  };
  if (mode.kind === 'raw') transport.onDatagram(count);
  else connectChannel(transport, peer, { clock: systemClock, immediate: setImmediate }).onMessage(count);
  // raw datagrams may be lost: the sender says when it is done, and we report what arrived
  await lines.next();
  report();
  for (;;) if ((await lines.next()).done) break;
  await transport.close();
  process.exit(0);
}
