import { createInterface } from 'node:readline';
import { bytesToHex, generateIdentityKeyPair, systemClock, systemRng } from '../../names/index.ts';
import { openUdpTransport } from '../../rendezvous/net/index.ts';
import { createEndpoint } from '../../rendezvous/socket/index.ts';

/**
 * The receiving process of bench/transport.ts (not a benchmark itself). Talks to the parent in
 * JSON lines: prints how to reach it, then for each phase the parent announces (`{ phase, expect }`)
 * counts what arrives and prints `{ phase, count, lastMs, latenciesMs }` when it has all of it
 * (raw datagrams may be lost: then the parent says `{ done: true }` and it prints what it has).
 * Times are wall-clock milliseconds (performance.timeOrigin + now), comparable across the two
 * processes of one machine.
 */
type Phase = { phase: string; expect: number; count: number; lastMs: number; latenciesMs: number[]; cpuStart: NodeJS.CpuUsage };

const wallMs = (): number => performance.timeOrigin + performance.now();
const mode = process.argv[2] === 'raw' ? 'raw' : 'parley';
// Raw mode is node:dgram alone (issue 3's baseline); Parley mode takes the native batched path when built.
const transport = await openUdpTransport({ native: mode !== 'raw', log: (entry) => process.stderr.write(`receiver: ${entry.code} ${entry.message}\n`) });
let current: Phase | undefined;
let reported = false;

const report = (): void => {
  if (current === undefined || reported) return;
  reported = true;
  const { phase, count, lastMs, latenciesMs, cpuStart } = current;
  const cpu = process.cpuUsage(cpuStart);
  process.stdout.write(`${JSON.stringify({ phase, count, lastMs, latenciesMs, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
};

const arrived = (bytes: Uint8Array): void => {
  if (current === undefined) return;
  current.count++;
  current.lastMs = wallMs();
  // A latency probe carries its wall-clock send time in its first 8 bytes, after the marker 0x4c.
  if (bytes.length >= 9 && bytes[0] === 0x4c) current.latenciesMs.push(current.lastMs - new DataView(bytes.buffer, bytes.byteOffset).getFloat64(1));
  if (current.count === current.expect) report();
};

if (mode === 'raw') {
  transport.onDatagram(arrived);
  process.stdout.write(`${JSON.stringify({ address: transport.localAddress })}\n`);
} else {
  const identity = generateIdentityKeyPair();
  const endpoint = createEndpoint({ transport, clock: systemClock, rng: systemRng, identity, log: (line) => process.stderr.write(`receiver: ${line}\n`) });
  endpoint.onConnection((connection) => connection.onMessage(arrived));
  const { send, gso, receive, gro } = transport.acceleration;
  const nativeUdp = send || receive ? `sendmmsg${gso ? '+GSO' : ''}, recvmmsg${gro ? '+GRO' : ''}` : 'node:dgram';
  process.stdout.write(`${JSON.stringify({ address: endpoint.localAddress, identityKey: bytesToHex(identity.publicKey), staticKey: bytesToHex(endpoint.staticPublicKey), nativeUdp })}\n`);
}

for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line) as { phase?: string; expect?: number; done?: boolean };
  if (command.done === true) report();
  else if (command.phase !== undefined) {
    current = { phase: command.phase, expect: command.expect ?? Infinity, count: 0, lastMs: 0, latenciesMs: [], cpuStart: process.cpuUsage() };
    reported = false;
    process.stdout.write(`${JSON.stringify({ ready: command.phase })}\n`);
  }
}
process.exit(0);
