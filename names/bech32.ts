import { bech32, bech32m } from '@scure/base';
import { describeCharacter } from './characters.ts';
import { BECH32_CHECKSUM_CHARACTERS, BECH32_TEXT_LENGTH_MAX } from './constants.ts';
import { NamesError } from './errors.ts';

/**
 * Bech32m strings (BIP350) checked one rule at a time, so each failure gets its own precise
 * error: @scure/base does the checksum arithmetic, this file decides what went wrong.
 * Kinds and prefixes are encoding.ts's business; this file knows only the string format.
 */
export type Bech32mParts = { readonly prefix: string; readonly words: readonly number[] };

/** BIP173 "Bech32": the 32 data characters, in the order of their 5-bit values. */
const DATA_ALPHABET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

export function encodeBech32m(prefix: string, bytes: Uint8Array): string {
  return bech32m.encode(prefix, bech32m.toWords(bytes), BECH32_TEXT_LENGTH_MAX);
}

/**
 * Splits and checks a bech32m string. Throws BAD_ENCODING for a string that is not bech32 at
 * all (length, characters, mixed case, separator) and BAD_CHECKSUM when the checksum fails,
 * saying so when the string carries a bech32 (BIP173) checksum instead of bech32m.
 * All-upper-case input is accepted and read as lower case (BIP173 "Bech32": decoders must
 * accept either case, never mixed). Indices in messages are 0-based string positions.
 */
export function decodeBech32m(text: string, field: string): Bech32mParts {
  if (typeof text !== 'string') throw new NamesError('BAD_TYPE', `${field}: expected a string, got ${typeof text}`);
  if (text.length > BECH32_TEXT_LENGTH_MAX) {
    throw new NamesError('BAD_ENCODING', `${field}: ${text.length} characters long; a bech32m string has at most ${BECH32_TEXT_LENGTH_MAX}`);
  }
  const lower = checkCase(text, field);
  const separatorIndex = lower.lastIndexOf('1');
  if (separatorIndex === -1) throw new NamesError('BAD_ENCODING', `${field}: no separator '1' between prefix and data`);
  if (separatorIndex === 0) throw new NamesError('BAD_ENCODING', `${field}: empty prefix before the separator '1' at index 0`);
  const dataLength = lower.length - separatorIndex - 1;
  if (dataLength < BECH32_CHECKSUM_CHARACTERS) {
    throw new NamesError(
      'BAD_ENCODING',
      `${field}: ${dataLength} characters after the separator '1' at index ${separatorIndex}; the checksum alone is ${BECH32_CHECKSUM_CHARACTERS}`,
    );
  }
  for (let index = separatorIndex + 1; index < lower.length; index++) {
    const character = lower[index]!;
    if (!DATA_ALPHABET.includes(character)) {
      throw new NamesError('BAD_ENCODING', `${field}: ${describeCharacter(text[index]!)} at index ${index} is not a bech32 data character (no 1, b, i, o)`);
    }
  }
  const decoded = bech32m.decodeUnsafe(lower, BECH32_TEXT_LENGTH_MAX);
  if (decoded) return { prefix: decoded.prefix, words: decoded.words };
  if (bech32.decodeUnsafe(lower, BECH32_TEXT_LENGTH_MAX)) {
    throw new NamesError('BAD_CHECKSUM', `${field}: has a bech32 (BIP173) checksum, not bech32m (BIP350); re-encode it with bech32m`);
  }
  throw new NamesError('BAD_CHECKSUM', `${field}: bech32m checksum does not match (a character is mistyped, missing, extra or swapped)`);
}

/**
 * The bytes of the data words, exactly `bytesExpected` of them. BIP173: the padding of the
 * last group is at most 4 bits and all zero.
 */
export function wordsToBytes(words: readonly number[], bytesExpected: number, field: string): Uint8Array {
  const bitCount = words.length * 5;
  const byteCount = Math.floor(bitCount / 8);
  const wordsExpected = Math.ceil((bytesExpected * 8) / 5);
  if (words.length !== wordsExpected) {
    throw new NamesError(
      'BAD_LENGTH',
      `${field}: expected ${bytesExpected} bytes, got ${byteCount}${bitCount % 8 === 0 ? '' : ` and ${bitCount % 8} bits`} (${words.length} data characters, expected ${wordsExpected})`,
    );
  }
  const bytes = bech32m.fromWordsUnsafe([...words]);
  if (!bytes) throw new NamesError('BAD_ENCODING', `${field}: the last data character has non-zero padding bits`);
  return bytes;
}

/** Rejects characters outside printable US-ASCII and mixed case; returns the lower-case text. */
function checkCase(text: string, field: string): string {
  let lowerAt = -1;
  let upperAt = -1;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 33 || code > 126) {
      const character = String.fromCodePoint(text.codePointAt(index) ?? code);
      throw new NamesError('BAD_ENCODING', `${field}: ${describeCharacter(character)} at index ${index} is not printable US-ASCII`);
    }
    if (code >= 97 && code <= 122 && lowerAt === -1) lowerAt = index;
    if (code >= 65 && code <= 90 && upperAt === -1) upperAt = index;
  }
  if (lowerAt !== -1 && upperAt !== -1) {
    throw new NamesError('BAD_ENCODING', `${field}: mixed case (lower case at index ${lowerAt}, upper case at index ${upperAt}); use one case`);
  }
  return text.toLowerCase();
}
