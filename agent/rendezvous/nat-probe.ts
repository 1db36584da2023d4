import { decodeWith, encodeWith, rendezvousRegistry, type Address, type NatProbeReplyFrom } from '../../rendezvous/index.ts';
import { formatAddress, parseAddress } from '../../rendezvous/net/index.ts';
import { natProbeBurstPerSource, natProbesPerSecondPerSource, rendezvousRateKeysMax } from '../constants.ts';
import type { RendezvousAgentErrorCode } from '../errors.ts';
import { KeyedBuckets, sourceHost } from './token-bucket.ts';

/**
 * Answers to NAT probes (RFC 5780-style). The agent listens on up to four endpoints:
 * A1:P1 (primary), A1:P2 (otherPort), A2:P1 (otherAddress), A2:P2 (otherAddressPort), and
 * answers a probe from the endpoint it asks for, relative to the one it arrived at. Probes
 * are unauthenticated datagrams: each source host has a small token bucket, and an answer
 * is never larger than its request (the client pads; no amplification).
 */
export type AgentEndpointName = 'primary' | 'otherPort' | 'otherAddress' | 'otherAddressPort';

export interface AgentEndpoints {
  readonly primary: Address;
  readonly otherPort?: Address;
  readonly otherAddress?: Address;
  readonly otherAddressPort?: Address;
}

export function createNatProbeLimiter(): KeyedBuckets {
  return new KeyedBuckets({ ratePerSecond: natProbesPerSecondPerSource, burst: natProbeBurstPerSource }, rendezvousRateKeysMax);
}

/** The four endpoints from two addresses and two ports (the lab's agent: .2/.3 × 3478/3479). */
export function agentEndpoints(address: string, otherAddress: string | undefined, port: number, otherPort: number | undefined): AgentEndpoints {
  return {
    primary: formatAddress(address, port),
    ...(otherPort === undefined ? {} : { otherPort: formatAddress(address, otherPort) }),
    ...(otherAddress === undefined ? {} : { otherAddress: formatAddress(otherAddress, port) }),
    ...(otherAddress === undefined || otherPort === undefined ? {} : { otherAddressPort: formatAddress(otherAddress, otherPort) }),
  };
}

/** Which endpoint answers: the probe's own, or the one differing in port, or in address and port. */
export function replyEndpoint(arrivedAt: AgentEndpointName, replyFrom: NatProbeReplyFrom): AgentEndpointName {
  const address = arrivedAt === 'primary' || arrivedAt === 'otherPort' ? 1 : 2;
  const port = arrivedAt === 'primary' || arrivedAt === 'otherAddress' ? 1 : 2;
  const flip = (value: number): number => 3 - value;
  const [replyAddress, replyPort] = replyFrom === 'same' ? [address, port] : replyFrom === 'other-port' ? [address, flip(port)] : [flip(address), flip(port)];
  if (replyAddress === 1) return replyPort === 1 ? 'primary' : 'otherPort';
  return replyPort === 1 ? 'otherAddress' : 'otherAddressPort';
}

export type NatProbeAnswer =
  | { readonly ok: true; readonly from: AgentEndpointName; readonly bytes: Uint8Array }
  | { readonly ok: false; readonly code: RendezvousAgentErrorCode; readonly message: string };

export function answerNatProbe(endpoints: AgentEndpoints, limiter: KeyedBuckets, arrivedAt: AgentEndpointName, from: Address, bytes: Uint8Array, nowMs: number): NatProbeAnswer {
  const decoded = decodeWith(rendezvousRegistry, bytes);
  if (!decoded.ok || decoded.message.type !== 'nat-probe') {
    return { ok: false, code: 'RENDEZVOUS_NAT_PROBE_BAD', message: `datagram from ${from} on ${arrivedAt}: ${decoded.ok ? decoded.message.type : decoded.error.code}` };
  }
  if (parseAddress(from) === undefined) return { ok: false, code: 'RENDEZVOUS_NAT_PROBE_BAD', message: `bad source ${from}` };
  if (!limiter.take(sourceHost(from), nowMs)) return { ok: false, code: 'RENDEZVOUS_NAT_PROBE_RATE_LIMITED', message: `nat-probe from ${from}` };
  const { nonce, replyFrom } = decoded.message;
  const answerFrom = replyEndpoint(arrivedAt, replyFrom);
  if (endpoints[answerFrom] === undefined) return { ok: false, code: 'RENDEZVOUS_NAT_PROBE_NO_ENDPOINT', message: `no ${answerFrom} endpoint to answer ${replyFrom}` };
  const reply = encodeWith(rendezvousRegistry, { type: 'nat-probe-reply', nonce, replyFrom, observed: from });
  if (reply.length > bytes.length) return { ok: false, code: 'RENDEZVOUS_NAT_PROBE_BAD', message: `a ${bytes.length}-byte probe would get a ${reply.length}-byte answer` };
  return { ok: true, from: answerFrom, bytes: reply };
}
