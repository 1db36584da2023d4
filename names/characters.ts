import { QUOTED_NAME_LENGTH_MAX, QUOTED_NAME_MARKS_RUN_MAX } from './constants.ts';

/**
 * Code-point helpers shared by the name validators: which characters are invisible or
 * control characters, and how to name a character in an error message without printing
 * something that reorders or hides the message itself.
 */

/** `U+200D`: at least four upper-case hex digits (The Unicode Standard, Appendix A notation). */
export function formatCodePoint(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The code point of a one-code-point string. */
export function codePointOf(character: string): number {
  return character.codePointAt(0) ?? 0;
}

const BIDI_CONTROLS = /^[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]$/u;
const JOINERS = /^[\u200C\u200D]$/u;
const VARIATION_SELECTORS = /^[\uFE00-\uFE0F\u{E0100}-\u{E01EF}\u180B-\u180F]$/u;

/**
 * What kind of character this is when it has no visible glyph of its own or changes how other
 * text is shown: controls (Cc), format characters (Cf, including bidi controls and joiners),
 * default-ignorable code points (variation selectors, U+3164 HANGUL FILLER), line and paragraph
 * separators, unassigned and private-use code points and lone surrogates. Undefined otherwise.
 * Spaces (Zs) are not included: each validator decides about them.
 */
export function invisibleKind(character: string): string | undefined {
  if (BIDI_CONTROLS.test(character)) return 'bidirectional control';
  if (JOINERS.test(character)) return 'zero-width joiner or non-joiner';
  if (VARIATION_SELECTORS.test(character)) return 'variation selector';
  if (/^\p{Cc}$/u.test(character)) return 'control character';
  if (/^\p{Cf}$/u.test(character)) return 'invisible format character';
  if (/^\p{Cs}$/u.test(character)) return 'lone surrogate';
  if (/^\p{Co}$/u.test(character)) return 'private-use character';
  if (/^\p{Cn}$/u.test(character)) return 'unassigned code point';
  if (/^[\p{Zl}\p{Zp}]$/u.test(character)) return 'line or paragraph separator';
  if (/^\p{Default_Ignorable_Code_Point}$/u.test(character)) return 'invisible (default-ignorable) character';
  return undefined;
}

/** True for characters that are safe to quote in a message: visible and not combining. */
function isQuotable(character: string): boolean {
  return invisibleKind(character) === undefined && !/^[\p{M}\p{Z}]$/u.test(character);
}

/** `'a' (U+0061)` for a visible character, `U+200D` alone for one that would not show. */
export function describeCharacter(character: string): string {
  const codePoint = formatCodePoint(codePointOf(character));
  return isQuotable(character) ? `'${character}' (${codePoint})` : codePoint;
}

/**
 * Text quoted for an error message: invisible and space-like characters other than U+0020, and
 * marks without a letter before them, are written as `\u{XXXX}`, so a hostile name cannot hide
 * or reorder the message.
 * Cut to `lengthMax` code points with `…`.
 */
export function quoteForMessage(text: string, lengthMax = QUOTED_NAME_LENGTH_MAX): string {
  const characters = Array.from(text);
  let marksShown = 0;
  const shown = characters.slice(0, lengthMax).map((character, index) => {
    const isMark = /^\p{M}$/u.test(character) && invisibleKind(character) === undefined;
    marksShown = isMark ? marksShown : 0;
    if (character === '"' || character === '\\') return `\\${character}`;
    if (character === ' ' || isQuotable(character)) return character;
    // A few marks after a letter show as part of it ("नमस्ते" stays readable); a pile-up does not.
    const afterLetter = /^[\p{L}\p{M}]$/u.test(characters[index - 1] ?? '');
    if (isMark && afterLetter && marksShown < QUOTED_NAME_MARKS_RUN_MAX) {
      marksShown += 1;
      return character;
    }
    return `\\u{${codePointOf(character).toString(16).toUpperCase().padStart(4, '0')}}`;
  });
  return `"${shown.join('')}${characters.length > lengthMax ? '…' : ''}"`;
}

/**
 * A case-insensitive, normalization-insensitive comparison key: NFKC, then upper and lower
 * case, so `ß`, `SS` and `ss` or `é` and `e` + U+0301 compare equal. An approximation of
 * Unicode default case folding (JavaScript has no `toCaseFold`); stable for a given Node.
 */
export function foldForComparison(text: string): string {
  return text.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFC');
}
