/**
 * Measures decoding speed of typical `chat` messages (the number quoted in docs/DECISIONS.md):
 *   npx tsx test/wire/decode-speed.ts
 * Compares the full decode (pre-scan + msgpackr + envelope + schema) with its parts, and shows encoding.
 */
import { Unpackr } from 'msgpackr';
import { decodeMessage, encodeMessage, prescanMsgpack } from '../../rendezvous/index.ts';

const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });
const room = Uint8Array.from({ length: 16 }, (_, index) => index * 17);

function rate(label: string, bytes: Uint8Array, run: (bytes: Uint8Array) => unknown): number {
  const seconds = 1.5;
  for (let warm = 0; warm < 20_000; warm += 1) run(bytes);
  let count = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    for (let batch = 0; batch < 1000; batch += 1) run(bytes);
    count += 1000;
  }
  const perSecond = count / ((performance.now() - started) / 1000);
  console.log(`${label.padEnd(44)} ${bytes.length.toString().padStart(6)} B  ${Math.round(perSecond).toLocaleString('en-US').padStart(10)} msgs/s`);
  return perSecond;
}

for (const [name, text] of [
  ['chat, 60-char ASCII line', 'see you at the station at 6, I will bring the signed contract'],
  ['chat, 200-char mixed line', 'Grüße aus Köln! 👋 '.repeat(10)],
  ['chat, 4 KiB text', 'lorem ipsum dolor sit amet '.repeat(152)],
] as const) {
  const bytes = encodeMessage({ type: 'chat', room, sequence: 1234, sentAtMs: 1_732_000_000_000n, text });
  rate(`${name}: decodeMessage`, bytes, decodeMessage);
  rate(`${name}: encodeMessage`, bytes, () => encodeMessage({ type: 'chat', room, sequence: 1234, sentAtMs: 1_732_000_000_000n, text }));
  rate(`${name}: prescan only`, bytes, prescanMsgpack);
  rate(`${name}: msgpackr unpack only`, bytes, (input) => unpackr.unpack(input));
}
