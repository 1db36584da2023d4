import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { agentErrorCodes } from '../../agent/index.ts';
import { AgentHarness } from './harness.ts';

test('random datagrams on any agent endpoint never throw: a typed, logged drop at most', () => {
  const agent = new AgentHarness();
  const endpoint = fc.constantFrom('primary' as const, 'otherPort' as const, 'otherAddress' as const, 'otherAddressPort' as const);
  const first = fc.constantFrom(0x52, 0x80, 0x83, 0x84, 0x00, 0x07, 0xff);
  fc.assert(
    fc.property(endpoint, first, fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0, max: 255 }), (at, head, rest, host) => {
      agent.nowMs += 1;
      const effects = agent.datagram(at, `198.18.${host}.2:40000`, Uint8Array.of(head, ...rest));
      for (const effect of effects) {
        if (effect.kind === 'log') assert.ok(agentErrorCodes.has(effect.code), effect.code);
        else assert.ok(effect.kind === 'timer', JSON.stringify(effect));
      }
    }),
    { numRuns: 3_000 },
  );
});
