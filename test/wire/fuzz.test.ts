import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { bytesToHex, concatBytes } from '../../names/index.ts';
import {
  decodeWith,
  encodeWith,
  RendezvousError,
  wireErrorCodes,
  wireMessageDefinitions,
  wireRegistry,
  type MessageDefinition,
  type MessageRegistry,
} from '../../rendezvous/index.ts';
import { messageArbitrary } from './arbitraries.ts';
import { createPrng, fuzzSeed, type Prng } from './prng.ts';
import { testMessageDefinitions, testRegistry } from './test-messages.ts';

/**
 * Feeds random bytes and mutations of valid encodings (bit flips, truncation, insertion,
 * splicing, huge length headers, nesting bombs) to the decoder. Every result must be either
 * a message that re-encodes and decodes to itself, or a RendezvousError with a wire code and
 * no cause (a cause would mean msgpackr refused bytes the pre-scan let through). Never a throw.
 * A failure prints its seed; PARLEY_FUZZ_SEED=<seed> replays the run exactly, and
 * PARLEY_FUZZ_BUFFERS=<n> runs longer.
 */
const bufferCount = Number.parseInt(process.env['PARLEY_FUZZ_BUFFERS'] ?? '', 10) || 100_000;
const knownCodes: ReadonlySet<string> = new Set(wireErrorCodes);

interface Sample {
  readonly bytes: Uint8Array;
  readonly registry: MessageRegistry;
}

test(`fuzz: ${bufferCount} random and mutated buffers decode to a message or a typed error`, (context) => {
  const seed = fuzzSeed();
  context.diagnostic(`seed ${seed} (replay with PARLEY_FUZZ_SEED=${seed})`);
  const prng = createPrng(seed);
  const corpus = buildCorpus(seed);
  const outcomes = new Map<string, number>();
  const started = performance.now();
  for (let index = 0; index < bufferCount; index += 1) {
    const sample = nextSample(prng, corpus);
    const outcome = checkOne(sample, () => `seed ${seed}, buffer ${index}, ${sample.bytes.length} bytes: ${bytesToHex(sample.bytes.subarray(0, 96))}`);
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }
  const seconds = (performance.now() - started) / 1000;
  const summary = [...outcomes].sort((a, b) => b[1] - a[1]).map(([code, count]) => `${code} ${count}`).join(', ');
  context.diagnostic(`${bufferCount} buffers in ${seconds.toFixed(2)} s: ${summary}`);
});

function checkOne(sample: Sample, describeCase: () => string): string {
  let result;
  try {
    result = decodeWith(sample.registry, sample.bytes);
  } catch (error) {
    assert.fail(`decode threw ${String(error)} at ${describeCase()}`);
  }
  if (!result.ok) {
    const { error } = result;
    assert.ok(error instanceof RendezvousError, `not a RendezvousError at ${describeCase()}`);
    assert.ok(knownCodes.has(error.code), `unknown code ${error.code} at ${describeCase()}`);
    assert.equal(error.cause, undefined, `msgpackr disagreed with the pre-scan (${String(error.cause)}) at ${describeCase()}`);
    return error.code;
  }
  // anything accepted is a well-formed message: it re-encodes, and that decodes to the same value
  const again = decodeWith(sample.registry, encodeWith(sample.registry, result.message));
  assert.ok(again.ok, `re-encoding an accepted message failed at ${describeCase()}`);
  assert.deepStrictEqual(again.message, result.message, `an accepted message changed on a round trip at ${describeCase()}`);
  return 'ok';
}

/** Valid encodings of every type, from the schema-derived arbitraries, seeded like the rest. */
function buildCorpus(seed: number): Sample[] {
  const corpus: Sample[] = [];
  const sources: [readonly MessageDefinition[], MessageRegistry][] = [
    [wireMessageDefinitions, wireRegistry],
    [testMessageDefinitions, testRegistry],
  ];
  for (const [definitions, registry] of sources) {
    for (const definition of definitions) {
      for (const message of fc.sample(messageArbitrary(definition), { seed, numRuns: 40 })) {
        const bytes = encodeWith(registry, message);
        if (bytes.length <= 2048) corpus.push({ bytes, registry }); // small ones keep 100k mutations fast
      }
    }
  }
  return corpus;
}

type Mutator = (prng: Prng, bytes: Uint8Array, corpus: readonly Sample[]) => Uint8Array;

const interestingBytes = [
  0x00, 0x7f, 0x80, 0x81, 0x8f, 0x90, 0x91, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb,
  0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xff,
];
const wideHeaders = [0xc5, 0xc6, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf];
const bombUnits = [[0x91], [0x81, 0xa1, 0x61], [0xdc, 0x00, 0x01], [0xdd, 0x00, 0x00, 0x00, 0x01], [0x92, 0xc0], [0xde, 0x00, 0x01, 0xa0]];

const mutators: Mutator[] = [
  function flipBits(prng, bytes) {
    const out = bytes.slice();
    for (let flips = 1 + prng.below(4); flips > 0 && out.length > 0; flips -= 1) out[prng.below(out.length)]! ^= 1 << prng.below(8);
    return out;
  },
  function replaceByte(prng, bytes) {
    const out = bytes.slice();
    if (out.length > 0) out[prng.below(out.length)] = prng.pick(interestingBytes);
    return out;
  },
  function truncate(prng, bytes) {
    return bytes.slice(0, prng.below(bytes.length + 1));
  },
  function insertBytes(prng, bytes) {
    const at = prng.below(bytes.length + 1);
    return concatBytes(bytes.subarray(0, at), prng.bytes(1 + prng.below(8)), bytes.subarray(at));
  },
  function deleteRange(prng, bytes) {
    const at = prng.below(bytes.length + 1);
    return concatBytes(bytes.subarray(0, at), bytes.subarray(Math.min(bytes.length, at + 1 + prng.below(16))));
  },
  function hugeLengthHeader(prng, bytes) {
    const at = prng.below(bytes.length + 1);
    const header = Uint8Array.of(prng.pick(wideHeaders), prng.pick([0xff, 0x7f, 0x00, 0x10]), prng.next() & 0xff, prng.next() & 0xff, prng.next() & 0xff);
    const keep = prng.chance(0.5) ? at : Math.min(bytes.length, at + header.length); // insert, or overwrite
    return concatBytes(bytes.subarray(0, at), header, bytes.subarray(keep));
  },
  function tweakSmallLength(prng, bytes) {
    const out = bytes.slice();
    for (let tries = 0; tries < 8 && out.length > 0; tries += 1) {
      const at = prng.below(out.length);
      const byte = out[at]!;
      if (byte >= 0x80 && byte <= 0xbf) {
        out[at] = (byte & 0xe0) | ((byte + (prng.chance(0.5) ? 1 : -1)) & (byte >= 0xa0 ? 0x1f : 0x0f));
        break;
      }
    }
    return out;
  },
  function nestingBomb(prng, bytes) {
    const unit = prng.pick(bombUnits);
    const bomb = new Uint8Array(unit.length * (1 + prng.below(prng.chance(0.1) ? 20_000 : 40)));
    for (let offset = 0; offset < bomb.length; offset += unit.length) bomb.set(unit, offset);
    const at = prng.chance(0.5) ? 0 : prng.below(bytes.length + 1);
    return concatBytes(bytes.subarray(0, at), bomb, bytes.subarray(at));
  },
  function splice(prng, bytes, corpus) {
    const other = prng.pick(corpus).bytes;
    return concatBytes(bytes.subarray(0, prng.below(bytes.length + 1)), other.subarray(prng.below(other.length + 1)));
  },
  function duplicateRange(prng, bytes) {
    const start = prng.below(bytes.length + 1);
    const range = bytes.subarray(start, Math.min(bytes.length, start + 1 + prng.below(24)));
    const at = prng.below(bytes.length + 1);
    return concatBytes(bytes.subarray(0, at), range, bytes.subarray(at));
  },
];

function nextSample(prng: Prng, corpus: readonly Sample[]): Sample {
  const base = prng.pick(corpus);
  if (prng.chance(0.15)) {
    // random bytes, sometimes behind a map header to get past the first byte
    const random = prng.bytes(prng.below(64));
    if (random.length > 0 && prng.chance(0.5)) random[0] = 0x80 | prng.below(16);
    return { bytes: random, registry: base.registry };
  }
  let bytes = base.bytes;
  for (let rounds = 1 + prng.below(3); rounds > 0; rounds -= 1) bytes = prng.pick(mutators)(prng, bytes, corpus);
  return { bytes, registry: base.registry };
}
