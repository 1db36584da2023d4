import assert from 'node:assert/strict';
import { test } from 'node:test';
import { natProbeBurstPerSource } from '../../agent/index.ts';
import { agentEndpoints, answerNatProbe, KeyedBuckets, replyEndpoint } from '../../agent/rendezvous/index.ts';
import { decodeWith, encodeNatProbe, encodeWith, natProbeRequestBytes, rendezvousRegistry, type Address } from '../../rendezvous/index.ts';
import { AgentHarness, endpoints, logCodes } from './harness.ts';

const nonce = new Uint8Array(16).fill(5);

test('the answering endpoint differs from the probed one as asked (RFC 5780 §4.4)', () => {
  assert.equal(replyEndpoint('primary', 'same'), 'primary');
  assert.equal(replyEndpoint('primary', 'other-port'), 'otherPort');
  assert.equal(replyEndpoint('primary', 'other-address-port'), 'otherAddressPort');
  assert.equal(replyEndpoint('otherAddress', 'same'), 'otherAddress');
  assert.equal(replyEndpoint('otherAddress', 'other-port'), 'otherAddressPort');
  assert.equal(replyEndpoint('otherAddressPort', 'other-address-port'), 'primary');
});

test('a probe is answered from the endpoint it asks for, with the observed source, never larger than it', () => {
  const agent = new AgentHarness();
  for (const replyFrom of ['same', 'other-port', 'other-address-port'] as const) {
    const request = encodeNatProbe(nonce, replyFrom);
    assert.equal(request.length, natProbeRequestBytes);
    const [answer] = agent.datagram('primary', '198.18.1.2:40000', request);
    assert.ok(answer?.kind === 'send-datagram');
    assert.equal(answer.to, '198.18.1.2:40000');
    assert.equal(answer.from, replyEndpoint('primary', replyFrom));
    assert.ok(answer.bytes.length <= request.length);
    const decoded = decodeWith(rendezvousRegistry, answer.bytes);
    assert.ok(decoded.ok && decoded.message.type === 'nat-probe-reply');
    assert.deepEqual(decoded.message, { type: 'nat-probe-reply', nonce, replyFrom, observed: '198.18.1.2:40000' });
  }
});

test('no amplification: an unpadded probe whose answer would be larger is dropped', () => {
  const limiter = new KeyedBuckets({ ratePerSecond: 1, burst: 10 }, 10);
  const bare = encodeWith(rendezvousRegistry, { type: 'nat-probe', nonce, replyFrom: 'same', padding: new Uint8Array(0) });
  const answer = answerNatProbe(endpoints, limiter, 'primary', '[2001:db8:ffff:ffff:ffff:ffff:ffff:ffff]:65535' as Address, bare, 0);
  assert.ok(!answer.ok && answer.code === 'RENDEZVOUS_NAT_PROBE_BAD', JSON.stringify(answer));
});

test('per-source rate limit, missing endpoints and garbage', () => {
  const agent = new AgentHarness();
  const request = encodeNatProbe(nonce, 'same');
  const answered = Array.from({ length: natProbeBurstPerSource + 4 }, (_, index) => agent.datagram('primary', `198.18.1.2:${40_000 + index}`, request)[0]?.kind);
  assert.equal(answered.filter((kind) => kind === 'send-datagram').length, natProbeBurstPerSource, 'counted per host, not per port');
  assert.deepEqual(logCodes(agent.datagram('primary', '198.18.1.2:40000', request)), ['RENDEZVOUS_NAT_PROBE_RATE_LIMITED']);
  assert.deepEqual(logCodes(agent.datagram('primary', '198.18.3.2:1', Uint8Array.of(0x81, 0xa1, 0x76, 0x01))), ['RENDEZVOUS_NAT_PROBE_BAD']);
  const lonely = answerNatProbe(agentEndpoints('198.18.0.2', undefined, 3478, undefined), new KeyedBuckets({ ratePerSecond: 1, burst: 9 }, 9), 'primary', '198.18.4.2:1', encodeNatProbe(nonce, 'other-port'), 0);
  assert.ok(!lonely.ok && lonely.code === 'RENDEZVOUS_NAT_PROBE_NO_ENDPOINT');
});
