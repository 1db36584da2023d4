import { seededRng, VirtualClock } from '../../names/index.ts';
import type { Rng } from '../../names/index.ts';
import { connectChannel } from '../../rendezvous/channel/index.ts';
import type { ChannelDriver, ChannelOptions } from '../../rendezvous/channel/index.ts';
import type { ChannelErrorCode } from '../../rendezvous/errors.ts';
import { MemoryNetwork, runVirtual } from '../../rendezvous/net/index.ts';
import type { LinkSettings, MemoryTransport } from '../../rendezvous/net/index.ts';

/** Two channel drivers joined by a seeded in-memory network on a virtual clock. */
export interface ChannelPair {
  seed: number;
  clock: VirtualClock;
  rng: Rng;
  network: MemoryNetwork;
  leftTransport: MemoryTransport;
  rightTransport: MemoryTransport;
  left: ChannelDriver;
  right: ChannelDriver;
  logs: { side: 'left' | 'right'; code: ChannelErrorCode; message: string }[];
  /** Messages delivered to each side, in order. */
  toLeft: Uint8Array[];
  toRight: Uint8Array[];
  /** Runs virtual time until `until()` holds; false if `maxMs` of virtual time passed first. */
  run(until: () => boolean, maxMs?: number): boolean;
}

export function channelPair(options: { seed: number; link?: Partial<LinkSettings>; channel?: ChannelOptions }): ChannelPair {
  const clock = new VirtualClock();
  const rng = seededRng(options.seed);
  const network = new MemoryNetwork({ clock, rng, defaults: { delayMs: 10, ...options.link } });
  const leftTransport = network.bind('10.0.0.1:1000');
  const rightTransport = network.bind('10.0.0.2:2000');
  const left = connectChannel(leftTransport, rightTransport.localAddress, { clock, channel: options.channel });
  const right = connectChannel(rightTransport, leftTransport.localAddress, { clock, channel: options.channel });
  const pair: ChannelPair = {
    seed: options.seed,
    clock,
    rng,
    network,
    leftTransport,
    rightTransport,
    left,
    right,
    logs: [],
    toLeft: [],
    toRight: [],
    run: (until, maxMs = 3_600_000) => runVirtual(clock, { until, untilMs: clock.nowMs() + maxMs }),
  };
  left.onLog((entry) => pair.logs.push({ side: 'left', ...entry }));
  right.onLog((entry) => pair.logs.push({ side: 'right', ...entry }));
  left.onMessage((message) => pair.toLeft.push(message));
  right.onMessage((message) => pair.toRight.push(message));
  return pair;
}

/** Sends `messages` in order as fast as backpressure allows; returns how many were accepted so far. */
export function pump(driver: ChannelDriver, messages: readonly Uint8Array[]): () => number {
  let next = 0;
  const go = (): void => {
    while (next < messages.length && driver.send(messages[next]!)) next++;
  };
  driver.onWritable(go);
  go();
  return () => next;
}
