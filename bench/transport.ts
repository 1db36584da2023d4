import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { generateIdentityKeyPair, hexToBytes, seededRng, systemClock, systemRng, x25519PublicKey } from '../names/index.ts';
import { openUdpTransport, type Address, type UdpTransport } from '../rendezvous/net/index.ts';
import { signStaticBinding, x25519Dh } from '../rendezvous/noise/index.ts';
import { createSessionHost, sessionStep, type SessionAddress, type SessionEffect, type SessionHostState } from '../rendezvous/session/index.ts';
import { createEndpoint, type Connection } from '../rendezvous/socket/index.ts';
import { formatNumber, report, type JsonValue, type TableRow } from './report.ts';

/**
 * Parley's encrypted transport against raw node:dgram, in one run on loopback between two
 * processes (the receiver is bench/peers/transport-receiver.ts), as issue 3 asks:
 *   1. raw datagrams/s: 1200-byte datagrams, 16 per event-loop turn (paced: an unpaced burst
 *      loses about half), through the same UdpTransport (4 MiB buffers) Parley uses: the limit;
 *   2. Parley's reliable channel inside a Noise session: 1 KiB and 64 KiB messages, one way,
 *      as fast as backpressure allows; goodput (application bytes) over raw bytes is the ratio;
 *   3. one-way latency of 1 KiB messages at a moderate rate (500/s, far below saturation):
 *      the send time rides in the message, both processes read the same wall clock;
 *   4. IK handshakes per core through the session core (no sockets), from the CPU time each
 *      side spends: the responder's (an agent's capacity) and the initiator's, warm (the peer's
 *      identity binding already verified once) and cold (a new identity: one BIP340 verify).
 */
const RAW_DATAGRAMS = 200_000;
const RAW_BYTES = 1200;
const RAW_BURST = 16;
const WARMUP_MESSAGES = 20_000;
const SMALL_MESSAGES = 80_000;
const LARGE_MESSAGES = 4500;
const LATENCY_MESSAGES = 1000;
const LATENCY_INTERVAL_MS = 2;
const HANDSHAKE_INITIATORS = 400;
const WARM_ROUNDS = 10;

const receiverScript = fileURLToPath(new URL('./peers/transport-receiver.ts', import.meta.url));
const projectRoot = fileURLToPath(new URL('../', import.meta.url));
const wallMs = (): number => performance.timeOrigin + performance.now();

type PhaseReport = { phase: string; count: number; lastMs: number; latenciesMs: number[]; cpuMs: number };
/** A throughput phase: messages per second, and CPU time (user + system) per message on each side. */
type Throughput = { perSec: number; senderCpuMicros: number; receiverCpuMicros: number };

export async function run(args: string[]): Promise<void> {
  const json = args.includes('--json');
  if (args.includes('--handshakes-only')) {
    // For profiling the handshake alone: `npm run -s bench -- transport --handshakes-only`.
    const { warm, cold } = measureHandshakes();
    process.stdout.write(`${JSON.stringify({ warm: roundAll(warm), cold: roundAll(cold) })}\n`);
    return;
  }
  const log = (line: string): void => void (json ? process.stderr : process.stdout).write(`${line}\n`);
  // Raw is measured before and after Parley and averaged: the neighbours' load drifts within a run.
  log('transport: raw node:dgram…');
  const rawBefore = await measureRaw();
  log('transport: Parley sessions and channels…');
  const parley = await measureParley();
  log('transport: raw node:dgram again…');
  const rawAfter = await measureRaw();
  const raw = { perSec: (rawBefore.perSec + rawAfter.perSec) / 2, lossRate: (rawBefore.lossRate + rawAfter.lossRate) / 2 };
  log('transport: handshakes…');
  const handshakes = measureHandshakes();
  const rawMegabytesPerSec = (raw.perSec * RAW_BYTES) / 1e6;
  const result: { [key: string]: JsonValue } = {
    node: process.version,
    loadAverage: round(loadavg()[0] ?? NaN),
    rawDgramPerSec: Math.round(raw.perSec),
    rawDgramPerSecBefore: Math.round(rawBefore.perSec),
    rawDgramPerSecAfter: Math.round(rawAfter.perSec),
    rawDgramLossRate: round(raw.lossRate),
    rawMegabytesPerSec: round(rawMegabytesPerSec),
    messagesPerSec1KiB: Math.round(parley.small.perSec),
    megabytesPerSec1KiB: round((parley.small.perSec * 1024) / 1e6),
    messagesPerSec64KiB: Math.round(parley.large.perSec),
    megabytesPerSec64KiB: round((parley.large.perSec * 65_536) / 1e6),
    ratioToRawDgram: round((parley.large.perSec * 65_536) / 1e6 / rawMegabytesPerSec),
    ratioToRawDgram1KiB: round((parley.small.perSec * 1024) / 1e6 / rawMegabytesPerSec),
    senderCpuMicrosPer64KiB: round(parley.large.senderCpuMicros),
    receiverCpuMicrosPer64KiB: round(parley.large.receiverCpuMicros),
    nativeUdp: parley.nativeUdp,
    latencyRatePerSec: Math.round(1000 / LATENCY_INTERVAL_MS),
    latencyP50Ms: round(percentile(parley.latenciesMs, 0.5)),
    latencyP99Ms: round(percentile(parley.latenciesMs, 0.99)),
    smoothedRttMs: round(parley.rttMs ?? NaN),
    handshakesPerSecPerCore: Math.round(handshakes.warm.responder),
    handshakesPerSecPerCoreInitiator: Math.round(handshakes.warm.initiator),
    handshakesPerSecPerCoreBothSides: Math.round(handshakes.warm.both),
    handshakesPerSecPerCoreColdResponder: Math.round(handshakes.cold.responder),
  };
  report('transport', result, rows(result));
}

function rows(result: { [key: string]: JsonValue }): TableRow[] {
  const value = (key: string): number => Number(result[key]);
  return [
    {
      measurement: 'raw node:dgram, 1200 B, 16 per turn (the limit)',
      value: `${formatNumber(value('rawDgramPerSec'))} /s`,
      'MB/s': value('rawMegabytesPerSec'),
      note: `mean of ${formatNumber(value('rawDgramPerSecBefore'))} before and ${formatNumber(value('rawDgramPerSecAfter'))} after; ${(100 * value('rawDgramLossRate')).toFixed(1)}% lost`,
    },
    { measurement: 'Parley, 1 KiB messages', value: `${formatNumber(value('messagesPerSec1KiB'))} /s`, 'MB/s': value('megabytesPerSec1KiB'), note: `${value('ratioToRawDgram1KiB').toFixed(2)} of raw bytes` },
    { measurement: 'Parley, 64 KiB messages', value: `${formatNumber(value('messagesPerSec64KiB'))} /s`, 'MB/s': value('megabytesPerSec64KiB'), note: `${value('ratioToRawDgram').toFixed(2)} of raw bytes (ratioToRawDgram)` },
    {
      measurement: 'Parley, CPU per 64 KiB message, sender / receiver',
      value: `${value('senderCpuMicrosPer64KiB').toFixed(0)} / ${value('receiverCpuMicrosPer64KiB').toFixed(0)} µs`,
      'MB/s': '—',
      note: `UDP path: ${String(result.nativeUdp)}`,
    },
    { measurement: `one-way latency p50 / p99, 1 KiB at ${value('latencyRatePerSec')}/s`, value: `${value('latencyP50Ms').toFixed(3)} / ${value('latencyP99Ms').toFixed(3)} ms`, 'MB/s': '—', note: `smoothed RTT ${value('smoothedRttMs').toFixed(3)} ms` },
    { measurement: 'IK handshakes per core, responder (warm)', value: `${formatNumber(value('handshakesPerSecPerCore'))} /s`, 'MB/s': '—', note: 'CPU time in sessionStep' },
    { measurement: 'IK handshakes per core, initiator (warm)', value: `${formatNumber(value('handshakesPerSecPerCoreInitiator'))} /s`, 'MB/s': '—', note: '' },
    { measurement: 'IK handshakes per core, both sides (warm)', value: `${formatNumber(value('handshakesPerSecPerCoreBothSides'))} /s`, 'MB/s': '—', note: 'one core doing both' },
    { measurement: 'IK handshakes per core, responder (cold)', value: `${formatNumber(value('handshakesPerSecPerCoreColdResponder'))} /s`, 'MB/s': '—', note: 'new identity: one BIP340 verify each' },
    { measurement: 'load average (1 min) at the end', value: `${value('loadAverage')}`, 'MB/s': '—', note: '2 shared cores' },
  ];
}

// ── the receiving process ────────────────────────────────────────────────────

type Receiver = { hello: Record<string, string>; command(value: object): void; next(): Promise<Record<string, unknown>>; stop(): Promise<void> };

async function startReceiver(mode: 'raw' | 'parley'): Promise<Receiver> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', receiverScript, mode], { cwd: projectRoot, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    const line = await lines.next();
    if (line.done === true) throw new Error('transport bench: the receiver exited');
    return JSON.parse(String(line.value)) as Record<string, unknown>;
  };
  const hello = (await next()) as Record<string, string>;
  return {
    hello,
    command: (value) => child.stdin!.write(`${JSON.stringify(value)}\n`),
    next,
    async stop() {
      child.stdin!.end();
      await exited;
    },
  };
}

async function startPhase(receiver: Receiver, phase: string, expect: number): Promise<void> {
  receiver.command({ phase, expect });
  await receiver.next(); // { ready }
}

// ── 1. raw node:dgram ─────────────────────────────────────────────────────────

async function measureRaw(): Promise<{ perSec: number; lossRate: number }> {
  const receiver = await startReceiver('raw');
  // Raw is node:dgram as issue 3 defines it: no native batching on either side.
  const transport: UdpTransport = await openUdpTransport({ native: false });
  try {
    const to = receiver.hello.address as Address;
    const payload = new Uint8Array(RAW_BYTES).fill(7);
    await startPhase(receiver, 'raw', RAW_DATAGRAMS);
    const startMs = wallMs();
    await new Promise<void>((resolve) => {
      let sent = 0;
      const turn = (): void => {
        for (let index = 0; index < RAW_BURST && sent < RAW_DATAGRAMS; index++, sent++) transport.send(payload, to);
        if (sent < RAW_DATAGRAMS) setImmediate(turn);
        else resolve();
      };
      turn();
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    receiver.command({ done: true });
    const result = (await receiver.next()) as PhaseReport;
    return { perSec: result.count / ((result.lastMs - startMs) / 1000), lossRate: 1 - result.count / RAW_DATAGRAMS };
  } finally {
    await transport.close();
    await receiver.stop();
  }
}

// ── 2 and 3. Parley ───────────────────────────────────────────────────────────

async function measureParley(): Promise<{ small: Throughput; large: Throughput; latenciesMs: number[]; rttMs: number | undefined; nativeUdp: string }> {
  const receiver = await startReceiver('parley');
  const transport = await openUdpTransport();
  // Which UDP path the Parley sender used (rendezvous/native/ batching when built; the receiver reports its own).
  const acceleration = transport.acceleration;
  const nativeUdp = acceleration.send ? `sendmmsg${acceleration.gso ? '+GSO' : ''}, recvmmsg${acceleration.gro ? '+GRO' : ''}; receiver ${receiver.hello.nativeUdp}` : `node:dgram; receiver ${receiver.hello.nativeUdp}`;
  const endpoint = createEndpoint({
    transport,
    clock: systemClock,
    rng: systemRng,
    identity: generateIdentityKeyPair(),
    log: (line) => process.stderr.write(`sender: ${line}\n`),
  });
  try {
    const { address, identityKey, staticKey } = receiver.hello;
    const connection = await endpoint.connect(address as Address, { remoteIdentityKey: hexToBytes(identityKey!), remoteStaticKey: hexToBytes(staticKey!) });
    await throughput(receiver, connection, 'warmup', WARMUP_MESSAGES, 1024);
    const small = await throughput(receiver, connection, '1KiB', SMALL_MESSAGES, 1024);
    const large = await throughput(receiver, connection, '64KiB', LARGE_MESSAGES, 65_536);
    const latenciesMs = await latency(receiver, connection);
    const rttMs = connection.rttMs();
    await connection.close();
    return { small, large, latenciesMs, rttMs, nativeUdp };
  } finally {
    await endpoint.close();
    await receiver.stop();
  }
}

async function throughput(receiver: Receiver, connection: Connection, phase: string, count: number, size: number): Promise<Throughput> {
  await startPhase(receiver, phase, count);
  const message = new Uint8Array(size).fill(9);
  const cpuStart = process.cpuUsage();
  const startMs = wallMs();
  for (let index = 0; index < count; index++) await connection.send(message);
  const result = (await receiver.next()) as PhaseReport;
  const cpu = process.cpuUsage(cpuStart);
  return { perSec: result.count / ((result.lastMs - startMs) / 1000), senderCpuMicros: (cpu.user + cpu.system) / result.count, receiverCpuMicros: (result.cpuMs * 1000) / result.count };
}

async function latency(receiver: Receiver, connection: Connection): Promise<number[]> {
  await startPhase(receiver, 'latency', LATENCY_MESSAGES);
  for (let index = 0; index < LATENCY_MESSAGES; index++) {
    const probe = new Uint8Array(1024);
    probe[0] = 0x4c;
    new DataView(probe.buffer).setFloat64(1, wallMs());
    await connection.send(probe);
    await new Promise((resolve) => setTimeout(resolve, LATENCY_INTERVAL_MS));
  }
  const result = (await receiver.next()) as PhaseReport;
  return result.latenciesMs;
}

// ── 4. handshakes through the session core ──────────────────────────────────

type Rates = { responder: number; initiator: number; both: number };

/**
 * Each side's CPU time is read once per phase, not per step (a getrusage call costs several
 * µs here, a few percent of a handshake): all initiations, then all responses, all
 * confirmations, all confirmations taken. Warm: ten more rounds with the same initiators (the
 * responder verified their bindings and keeps their static-static DH, as for every rekey and
 * reconnect); cold: new initiators, so one BIP340 verify and four DH each. Making the initiators
 * is not counted.
 */
function measureHandshakes(): { warm: Rates; cold: Rates } {
  const responder = sessionParty(99);
  const initiators = Array.from({ length: HANDSHAKE_INITIATORS }, (_, index) => sessionParty(1000 + index));
  const cold = ratesOf(initiators.length, ikRoundMicros(responder, initiators, 0));
  // Warm: handshakes over CPU time summed across the rounds (a GC pause counts where it fell).
  const total = { responder: 0, initiator: 0 };
  for (let round = 1; round <= WARM_ROUNDS; round++) {
    const micros = ikRoundMicros(responder, initiators, round * 1000);
    total.responder += micros.responder;
    total.initiator += micros.initiator;
  }
  const count = WARM_ROUNDS * initiators.length;
  return { cold, warm: ratesOf(count, total) };
}

function ratesOf(count: number, micros: { responder: number; initiator: number }): Rates {
  return { responder: (count * 1e6) / micros.responder, initiator: (count * 1e6) / micros.initiator, both: (count * 1e6) / (micros.responder + micros.initiator) };
}

type SessionParty = { state: SessionHostState; staticKey: Uint8Array; identityKey: Uint8Array; address: SessionAddress };

function sessionParty(seed: number): SessionParty {
  const rng = seededRng(seed);
  const secretKey = rng.bytes(32);
  const staticKeyPair = { secretKey, publicKey: x25519PublicKey(secretKey) };
  const binding = signStaticBinding(rng.bytes(32), staticKeyPair.publicKey);
  // Cookies off: this measures the handshake itself, not the DoS defence.
  const limits = { underLoadInitiationsPerSecond: 1e9, initiationsPerSecondPerSource: 1e9, initiationBurstPerSource: 1e9 };
  const state = createSessionHost({ staticKeyPair, binding, rng, dh: x25519Dh, wallClockOffsetMs: Date.now(), limits }, 0);
  const address: SessionAddress = `10.${(seed >> 16) & 0xff}.${(seed >> 8) & 0xff}.${seed & 0xff}:4000`;
  return { state, staticKey: staticKeyPair.publicKey, identityKey: binding.identityKey, address };
}

function datagramOf(effects: SessionEffect[]): Uint8Array {
  const send = effects.find((effect) => effect.kind === 'send');
  if (send?.kind !== 'send') throw new Error(`handshake bench: no datagram (${JSON.stringify(effects.filter((effect) => effect.kind === 'log'))})`);
  return send.datagram;
}

/** CPU time (user + system) of this process, in microseconds. */
function cpuMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

function timed<T>(work: () => T): { value: T; micros: number } {
  const start = cpuMicros();
  const value = work();
  return { value, micros: cpuMicros() - start };
}

/** One IK handshake from every initiator to the responder, phase by phase, then both forget them: each side's CPU µs. */
function ikRoundMicros(responder: SessionParty, initiators: readonly SessionParty[], nowMs: number): { responder: number; initiator: number } {
  const responderAddress: SessionAddress = '10.255.0.1:4000';
  const peer = (index: number): string => `responder-${nowMs}-${index}`;
  const initiations = timed(() =>
    initiators.map((initiator, index) =>
      datagramOf(sessionStep(initiator.state, { kind: 'connect', peer: peer(index), address: responderAddress, remoteStaticKey: responder.staticKey, remoteIdentityKey: responder.identityKey }, nowMs).effects),
    ),
  );
  const responses = timed(() => initiations.value.map((datagram, index) => datagramOf(sessionStep(responder.state, { kind: 'datagram', from: initiators[index]!.address, datagram }, nowMs).effects)));
  const confirmations = timed(() => responses.value.map((datagram, index) => datagramOf(sessionStep(initiators[index]!.state, { kind: 'datagram', from: responderAddress, datagram }, nowMs).effects)));
  const taken = timed(() => {
    for (const [index, datagram] of confirmations.value.entries()) sessionStep(responder.state, { kind: 'datagram', from: initiators[index]!.address, datagram }, nowMs);
  });
  const established = [...responder.state.peers.values()].filter((entry) => entry.established).length;
  if (established !== initiators.length) throw new Error(`handshake bench: ${established} of ${initiators.length} sessions established`);
  for (const [index, initiator] of initiators.entries()) sessionStep(initiator.state, { kind: 'close', peer: peer(index) }, nowMs);
  for (const id of [...responder.state.peers.keys()]) sessionStep(responder.state, { kind: 'close', peer: id }, nowMs);
  return { responder: responses.micros + taken.micros, initiator: initiations.micros + confirmations.micros };
}

// ── helpers ─────────────────────────────────────────────────────────────────

function percentile(values: readonly number[], fraction: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

function roundAll(rates: Rates): Rates {
  return { responder: Math.round(rates.responder), initiator: Math.round(rates.initiator), both: Math.round(rates.both) };
}

function round(value: number): number {
  return Number.isFinite(value) ? Number(value.toPrecision(4)) : NaN;
}
