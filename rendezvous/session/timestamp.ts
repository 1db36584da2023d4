import { bytesToHex } from '../../names/index.ts';
import { sessionTimestampGranularityNs } from '../constants.ts';

/**
 * IK first-message replay protection, as WireGuard does it (whitepaper §5.1): the initiation
 * carries a TAI64N timestamp, and the responder keeps the greatest one seen per initiator
 * static key and rejects any that is not greater. Initiators therefore need a clock that
 * does not go backwards across restarts: wall time, rounded and then forced monotonic.
 */
export const TIMESTAMP_BYTES = 12;

/** TAI64 labels seconds as 2^62 + seconds since 1970 (cr.yp.to/libtai/tai64.html); leap seconds are ignored. */
const TAI64_EPOCH = 1n << 62n;
const GRANULE = BigInt(sessionTimestampGranularityNs);

/** The timestamp granule count for a wall time (Unix milliseconds), rounded down. */
export function timestampGranules(wallMs: number): number {
  return Number((BigInt(Math.floor(wallMs)) * 1_000_000n) / GRANULE);
}

/** TAI64N: 8-byte big-endian TAI64 seconds ‖ 4-byte big-endian nanoseconds. */
export function encodeTai64n(granules: number): Uint8Array {
  const nanoseconds = BigInt(granules) * GRANULE;
  const out = new Uint8Array(TIMESTAMP_BYTES);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, TAI64_EPOCH + nanoseconds / 1_000_000_000n);
  view.setUint32(8, Number(nanoseconds % 1_000_000_000n));
  return out;
}

/** Big-endian fixed-width fields compare as numbers when compared byte by byte. */
export function compareTimestamps(a: Uint8Array, b: Uint8Array): number {
  for (let index = 0; index < TIMESTAMP_BYTES; index++) {
    const difference = a[index]! - b[index]!;
    if (difference !== 0) return difference;
  }
  return 0;
}

/**
 * The greatest timestamp per initiator static key, least recently used evicted. Eviction
 * reopens replay of that key's old initiations; such a replay costs the responder two DH and
 * never disturbs a session, because a responder only switches keys once the initiator proves
 * it holds them (first transport packet), which a replayer cannot do.
 */
export class TimestampTable {
  readonly entriesMax: number;
  #greatest = new Map<string, Uint8Array>();

  constructor(entriesMax: number) {
    this.entriesMax = entriesMax;
  }

  isNewer(initiatorStatic: Uint8Array, timestamp: Uint8Array): boolean {
    const previous = this.#greatest.get(bytesToHex(initiatorStatic));
    return previous === undefined || compareTimestamps(timestamp, previous) > 0;
  }

  record(initiatorStatic: Uint8Array, timestamp: Uint8Array): void {
    const key = bytesToHex(initiatorStatic);
    this.#greatest.delete(key);
    this.#greatest.set(key, new Uint8Array(timestamp));
    if (this.#greatest.size > this.entriesMax) {
      const oldest = this.#greatest.keys().next().value;
      if (oldest !== undefined) this.#greatest.delete(oldest);
    }
  }
}
