import { seededRng, VirtualClock } from '../../names/index.ts';
import { MemoryNetwork, runVirtual } from '../../rendezvous/net/index.ts';
import type { DatagramTransport, TransportLog } from '../../rendezvous/net/index.ts';
import { transportComplianceSuite } from './compliance.ts';

transportComplianceSuite('in-memory network', async () => {
  const clock = new VirtualClock();
  const logs: Parameters<TransportLog>[0][] = [];
  const network = new MemoryNetwork({ clock, rng: seededRng(1), log: (entry) => logs.push(entry) });
  const open: DatagramTransport[] = [];
  return {
    logs,
    async open() {
      const transport = network.bind();
      open.push(transport);
      return transport;
    },
    async waitFor(condition, timeoutMs) {
      return runVirtual(clock, { until: condition, untilMs: clock.nowMs() + timeoutMs });
    },
    async sleep(ms) {
      clock.advanceBy(ms);
    },
    async teardown() {
      for (const transport of open) await transport.close();
    },
  };
});
