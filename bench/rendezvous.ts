import { labUnavailableReason } from '../test/lab/netlab.ts';
import { hostTypes, labPairs, typeName } from '../test/lab/pairs.ts';
import { ParleyLab, type Listener } from '../test/lab/parley-lab.ts';
import { report, type JsonValue, type TableRow } from './report.ts';

/**
 * `npm run bench -- rendezvous`: the real binaries (parley-agent run, parley listen / connect /
 * send) in the NAT lab (test/lab, needs root and network namespaces), or on loopback when the
 * lab cannot run. Per NAT pair, `--samples` connects (default 5), each a fresh `parley connect`
 * process; its `connectMs` (introduction request → Noise session up) gives p50/p95. Then
 * `--messages` lines (default 50) over one session on a direct and on a relayed path: the time
 * from handing a message to the session until the peer's client confirmed it (one round trip).
 * `--all` runs all 48 lab pairs instead of the representative 8; `--loopback` skips the lab. `--json`: one JSON object with
 * `pairs: [{ natA, natB, path, connectMsP50, connectMsP95 }]`.
 */
type PairResult = { natA: string; natB: string; path: string; connectMsP50: number; connectMsP95: number; samples: number };
type MessageResult = { path: string; natA: string; natB: string; deliveryMsP50: number; deliveryMsP95: number; messages: number };

/** Caller type → listener type, by index into hostTypes: cone, firewall, birthday (both roles), relay. */
const representativePairs: [number, number][] = [
  [0, 0], // open → open
  [2, 5], // full-cone → port-restricted+fw
  [4, 4], // port-restricted → port-restricted
  [5, 5], // port-restricted+fw → port-restricted+fw
  [4, 6], // port-restricted → symmetric (birthday: the listener opens 256 sockets)
  [6, 4], // symmetric → port-restricted (birthday: the caller opens them)
  [3, 7], // full-cone+fw → symmetric+fw
  [6, 7], // symmetric → symmetric+fw (relayed)
];

function option(args: readonly string[], name: string, fallback: number): number {
  const index = args.indexOf(name);
  const value = Number(index >= 0 ? args[index + 1] : undefined);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

export function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))]!;
}

export async function run(args: string[]): Promise<void> {
  const samples = option(args, '--samples', 5);
  const messages = option(args, '--messages', 50);
  const unavailable = args.includes('--loopback') ? '--loopback asked for' : labUnavailableReason();
  if (unavailable !== undefined) process.stderr.write(`rendezvous bench: no NAT lab (${unavailable}); measuring on loopback\n`);
  const inLab = unavailable === undefined;
  const pairs = inLab ? (args.includes('--all') ? labPairs(hostTypes) : representativePairs) : [[0, 0] as [number, number]];
  // Callers on hosts 0–7, listeners on hosts 8–15, one of each type on each side (as the lab test).
  const lab = inLab ? ParleyLab.namespaces([...hostTypes, ...hostTypes]) : ParleyLab.loopback(2);
  const listenerHost = (type: number): number => (inLab ? hostTypes.length + type : 1);
  const name = (type: number): string => (inLab ? typeName(hostTypes[type]!) : 'loopback');
  const pairResults: PairResult[] = [];
  const messageResults: MessageResult[] = [];
  try {
    await lab.startAgent();
    const listeners = new Map<number, Listener>();
    const listenerFor = async (type: number): Promise<Listener> => {
      let listener = listeners.get(type);
      if (listener === undefined) listeners.set(type, (listener = await lab.listen(listenerHost(type), `l${type}`)));
      return listener;
    };
    for (const [pairIndex, [a, b]] of pairs.entries()) {
      await listenerFor(b);
      const times: number[] = [];
      const paths = new Set<string>();
      for (let sample = 0; sample < samples; sample++) {
        // A fresh caller wallet every 4 connects keeps under the agent's introduction rate per wallet.
        const result = await lab.parley(inLab ? a : 0, `c${pairIndex}x${Math.floor(sample / 4)}`, ['connect', `l${b}@agent1`, '--json']);
        if (result.code !== 0) throw new Error(`${name(a)} → ${name(b)}: connect failed: ${result.stderr}`);
        const outcome = JSON.parse(result.stdout.trim()) as { path: string; connectMs: number };
        times.push(outcome.connectMs);
        paths.add(outcome.path);
      }
      const row = { natA: name(a), natB: name(b), path: [...paths].join('/'), connectMsP50: percentile(times, 0.5), connectMsP95: percentile(times, 0.95), samples };
      pairResults.push(row);
      process.stderr.write(`${row.natA} → ${row.natB}: ${row.path} p50 ${row.connectMsP50} ms, p95 ${row.connectMsP95} ms\n`);
    }
    const messagePairs: [number, number][] = inLab ? [[4, 4], [6, 7]] : [[0, 0]];
    for (const [a, b] of messagePairs) {
      await listenerFor(b);
      const lines = Array.from({ length: messages }, (_, index) => `message ${index}`).join('\n');
      const result = await lab.parley(inLab ? a : 0, `m${a}x${b}`, ['send', `l${b}@agent1`, '--stdin', '--json'], `${lines}\n`);
      if (result.code !== 0) throw new Error(`${name(a)} → ${name(b)}: send failed: ${result.stderr}`);
      const sent = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { path: string; deliveryMs: number });
      const delivery = sent.map((line) => line.deliveryMs);
      messageResults.push({ path: sent[0]?.path ?? '?', natA: name(a), natB: name(b), deliveryMsP50: percentile(delivery, 0.5), deliveryMsP95: percentile(delivery, 0.95), messages: sent.length });
    }
  } finally {
    await lab.destroy();
  }
  const rows: TableRow[] = [
    ...pairResults.map((pair) => ({ measurement: `connect ${pair.natA} → ${pair.natB} (${pair.path})`, 'p50 (ms)': pair.connectMsP50, 'p95 (ms)': pair.connectMsP95, n: String(pair.samples) })),
    ...messageResults.map((result) => ({ measurement: `message round trip, ${result.path} (${result.natA} → ${result.natB})`, 'p50 (ms)': result.deliveryMsP50, 'p95 (ms)': result.deliveryMsP95, n: String(result.messages) })),
  ];
  report('rendezvous', { mode: inLab ? 'lab' : 'loopback', pairs: pairResults as unknown as JsonValue, messages: messageResults as unknown as JsonValue }, rows, args);
}
