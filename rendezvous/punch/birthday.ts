import type { Rng } from '../../names/index.ts';
import { punchBirthdayPortMax, punchBirthdayPortMin, punchBirthdayProbesMax } from '../constants.ts';

/**
 * Birthday probing (docs/DECISIONS.md): the endpoint-dependent side holds `sockets` fresh
 * mappings open towards the peer; the peer probes `probes` distinct random ports of the NAT's
 * address. The chance that no probe lands on a mapping, drawing without replacement from
 * `ports` ports, is C(ports − sockets, probes) / C(ports, probes).
 */
export function birthdayMissProbability(sockets: number, probes: number, ports = punchBirthdayPortMax - punchBirthdayPortMin + 1): number {
  let miss = 1;
  for (let index = 0; index < probes; index++) miss *= (ports - sockets - index) / (ports - index);
  return Math.max(0, miss);
}

/** A random port of the NAT's range not sprayed yet; records it in `sprayed`. */
export function sprayPort(rng: Rng, sprayed: Set<number>): number {
  const range = punchBirthdayPortMax - punchBirthdayPortMin + 1;
  // sprayed never exceeds punchBirthdayProbesMax ≪ range (constants.ts checks it), so this ends fast.
  if (sprayed.size >= Math.min(range, punchBirthdayProbesMax)) throw new RangeError('sprayPort: every allowed probe is spent');
  for (;;) {
    const port = punchBirthdayPortMin + rng.below(range);
    if (sprayed.has(port)) continue;
    sprayed.add(port);
    return port;
  }
}
