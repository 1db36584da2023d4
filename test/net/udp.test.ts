import { openUdpTransport } from '../../rendezvous/net/index.ts';
import type { DatagramTransport, TransportLog } from '../../rendezvous/net/index.ts';
import { transportComplianceSuite } from './compliance.ts';

transportComplianceSuite('UDP on loopback', async () => {
  const logs: Parameters<TransportLog>[0][] = [];
  const open: DatagramTransport[] = [];
  return {
    logs,
    async open() {
      const transport = await openUdpTransport({ log: (entry) => logs.push(entry) });
      open.push(transport);
      return transport;
    },
    async waitFor(condition, timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      while (!condition()) {
        if (performance.now() > deadline) return false;
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      return true;
    },
    async sleep(ms) {
      await new Promise((resolve) => setTimeout(resolve, ms));
    },
    async teardown() {
      for (const transport of open) await transport.close();
    },
  };
});
