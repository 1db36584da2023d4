import { bytesToHex, seededRng } from '../../names/index.ts';
import type { Address, RendezvousMessage } from '../../rendezvous/index.ts';
import {
  agentEndpoints,
  createRendezvousAgent,
  rendezvousAgentStep,
  type RendezvousAgentEffect,
  type RendezvousAgentState,
  type WalletIdentity,
} from '../../agent/rendezvous/index.ts';

/** A rendezvous agent core driven directly (no network), with named wallets. */
export const endpoints = agentEndpoints('198.18.0.2', '198.18.0.3', 3478, 3479);

export function wallet(name: string | undefined, seed: number): WalletIdentity {
  const key = seededRng(seed).bytes(32);
  return { key, keyHex: bytesToHex(key), name };
}

export const profile = { mapping: 'endpoint-independent', filtering: 'address-port-dependent' } as const;

export class AgentHarness {
  state: RendezvousAgentState;
  nowMs = 0;

  constructor(seed = 1) {
    this.state = createRendezvousAgent({ agentName: 'agent2', endpoints, rng: seededRng(seed) }, 0);
  }

  message(from: WalletIdentity, address: Address, message: RendezvousMessage): RendezvousAgentEffect[] {
    return rendezvousAgentStep(this.state, { kind: 'message', wallet: from, from: address, message }, this.nowMs).effects;
  }

  datagram(endpoint: 'primary' | 'otherPort' | 'otherAddress' | 'otherAddressPort', from: Address, bytes: Uint8Array): RendezvousAgentEffect[] {
    return rendezvousAgentStep(this.state, { kind: 'datagram', endpoint, from, bytes }, this.nowMs).effects;
  }

  tick(toMs: number): RendezvousAgentEffect[] {
    this.nowMs = toMs;
    return rendezvousAgentStep(this.state, { kind: 'tick' }, this.nowMs).effects;
  }

  login(who: WalletIdentity, address: Address, rttMs = 20): RendezvousAgentEffect[] {
    return this.message(who, address, { type: 'presence-login', privateAddresses: ['10.0.0.2:40000'], profile, rttMs });
  }

  introduce(caller: WalletIdentity, address: Address, target: string, requestId = 1): RendezvousAgentEffect[] {
    return this.message(caller, address, { type: 'introduce-request', requestId, target, privateAddresses: [], profile, rttMs: 30 });
  }
}

/** The messages sent to one wallet in these effects. */
export function sentTo(effects: RendezvousAgentEffect[], who: WalletIdentity): RendezvousMessage[] {
  return effects.flatMap((effect) => (effect.kind === 'send-message' && effect.walletKeyHex === who.keyHex ? [effect.message] : []));
}

export function logCodes(effects: RendezvousAgentEffect[]): string[] {
  return effects.flatMap((effect) => (effect.kind === 'log' ? [effect.code] : []));
}
