/**
 * The host types of the NAT lab and what a connection between two of them must give. Shared by
 * the lab tests (rendezvous.test.ts) and the benchmark (bench/rendezvous.ts).
 */
import type { HostSpec } from './netlab.ts';

export const hostTypes: readonly HostSpec[] = [
  { nat: 'open', firewall: false },
  { nat: 'open', firewall: true },
  { nat: 'full-cone', firewall: false },
  { nat: 'full-cone', firewall: true },
  { nat: 'port-restricted', firewall: false },
  { nat: 'port-restricted', firewall: true },
  { nat: 'symmetric', firewall: false },
  { nat: 'symmetric', firewall: true },
];

export function typeName(spec: HostSpec): string {
  return `${spec.nat}${spec.firewall ? '+fw' : ''}`;
}

/**
 * Budgets for `connectMs` (introduction request → Noise session up), generous for a loaded
 * 2-core machine: measured values are ~10–20× smaller (docs/BENCHMARKS.md "Rendezvous").
 * Cone pairs punch in one round of probes; one symmetric side runs the birthday punch (256
 * sockets × 2048 probes, deadline 6 s); two symmetric sides relay at once.
 */
export const coneBudgetMs = 2_000;
export const symmetricBudgetMs = 10_000;
export const relayBudgetMs = 10_000;

export type Expectation = { path: 'direct' | 'relayed'; budgetMs: number };

export function expectationFor(a: HostSpec, b: HostSpec): Expectation {
  const symmetricSides = Number(a.nat === 'symmetric') + Number(b.nat === 'symmetric');
  if (symmetricSides === 2) return { path: 'relayed', budgetMs: relayBudgetMs };
  return { path: 'direct', budgetMs: symmetricSides === 1 ? symmetricBudgetMs : coneBudgetMs };
}

/**
 * The (caller, listener) pairs the lab runs: every unordered pair of host types, the same type
 * twice included (36 for 8 types), the first type calling; then the pairs with exactly one
 * symmetric side once more with the symmetric side calling (12), because a birthday punch has
 * two different roles (many sockets / spraying) and either may be the caller.
 */
export function labPairs(types: readonly HostSpec[]): [number, number][] {
  const pairs: [number, number][] = [];
  for (let a = 0; a < types.length; a++) for (let b = a; b < types.length; b++) pairs.push([a, b]);
  for (const [a, b] of [...pairs]) {
    if ((types[a]!.nat === 'symmetric') !== (types[b]!.nat === 'symmetric')) pairs.push([b, a]);
  }
  return pairs;
}
