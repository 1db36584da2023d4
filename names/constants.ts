import assert from 'node:assert/strict';

/**
 * Every limit of names/ in one place. Lengths of names count Unicode code points after NFC
 * normalization (what the validators see), not UTF-16 units or bytes; the UTF-8 bound of
 * each is derived below and checked at startup.
 */

// Printed 32-byte values (bech32m, encoding.ts).

/** BIP340 x-only public keys and SHA-256 hashes: every printed value is 32 bytes. */
export const KEY_BYTES = 32;
/** BIP173 "Bech32": "the total length of a Bech32 string is at most 90 characters". */
export const BECH32_TEXT_LENGTH_MAX = 90;
/** BIP173: six checksum characters end every string. */
export const BECH32_CHECKSUM_CHARACTERS = 6;
/** Every Parley prefix is two lower-case letters (`pw`, `pa`, ...). */
export const KEY_PREFIX_CHARACTERS = 2;
/** Data characters for a 32-byte payload: ⌈32 · 8 / 5⌉ = 52 five-bit groups. */
export const KEY_DATA_CHARACTERS = Math.ceil((KEY_BYTES * 8) / 5);
/** Whole printed key: prefix, separator `1`, data, checksum = 61 characters. */
export const KEY_TEXT_LENGTH = KEY_PREFIX_CHARACTERS + 1 + KEY_DATA_CHARACTERS + BECH32_CHECKSUM_CHARACTERS;
/** An abbreviated key shows `pw1` + head + `…` + tail: 12 characters ≈ 60 bits to compare by eye. */
export const KEY_DISPLAY_HEAD_CHARACTERS = 6;
export const KEY_DISPLAY_TAIL_CHARACTERS = 6;

// Name parts (label.ts, login.ts): `wallet@agent`, agent (peer) names and global names.

export const WALLET_NAME_LENGTH_MIN = 1;
export const WALLET_NAME_LENGTH_MAX = 31;
/** Agent and global names live on the chain: very short ones would only invite squatting. */
export const AGENT_NAME_LENGTH_MIN = 3;
export const AGENT_NAME_LENGTH_MAX = 31;
export const GLOBAL_NAME_LENGTH_MIN = 3;
export const GLOBAL_NAME_LENGTH_MAX = 31;
/** `wallet@agent`: checked at startup to equal wallet max + 1 + agent max. */
export const LOGIN_NAME_LENGTH_MAX = 63;
/** UTS 39 §5.4 suggests no more than four nonspacing marks in a row. */
export const NAME_COMBINING_MARKS_RUN_MAX = 4;

// Zooko names (zooko.ts, petnames.ts).

/** A nickname is claimed by its owner and travels on the wire. */
export const NICKNAME_LENGTH_MIN = 1;
export const NICKNAME_LENGTH_MAX = 48;
/** A petname is chosen by the local user and stays in the vault. */
export const PETNAME_LENGTH_MIN = 1;
export const PETNAME_LENGTH_MAX = 63;
/** Contacts in one petname book; also bounds what a loaded (possibly hostile) file may hold. */
export const PETNAME_BOOK_CONTACTS_MAX = 10_000;

// Error messages.

/** A name quoted in an error message is cut after this many code points. */
export const QUOTED_NAME_LENGTH_MAX = 80;
/** Combining marks in a row shown as they are in a quoted name; more are escaped as \u{XXXX}. */
export const QUOTED_NAME_MARKS_RUN_MAX = 2;

// Bounds derived for other layers.

/** UTF-8 needs at most 4 bytes per code point (RFC 3629 §3). */
export const UTF8_BYTES_PER_CODE_POINT_MAX = 4;
/** Every name must fit a one-byte length prefix in UTF-8, whatever its characters. */
export const NAME_UTF8_BYTES_MAX = 255;
/**
 * Input is refused before normalization when longer than this many UTF-16 units per allowed
 * code point: NFC can shrink text (a Hangul syllable from three jamo, a letter from a letter and
 * marks), so the bound is generous, but it keeps a hostile megabyte from being normalized.
 */
export const NAME_INPUT_UTF16_UNITS_PER_CODE_POINT_MAX = 8;

export type NameLimits = {
  walletNameLengthMax: number;
  agentNameLengthMax: number;
  globalNameLengthMax: number;
  loginNameLengthMax: number;
  nicknameLengthMax: number;
  petnameLengthMax: number;
  /** [min, max] of every name kind. */
  lengthRanges: readonly (readonly [number, number])[];
  keyTextLength: number;
  keyDisplayCharacters: number;
};

export const NAME_LIMITS: NameLimits = {
  walletNameLengthMax: WALLET_NAME_LENGTH_MAX,
  agentNameLengthMax: AGENT_NAME_LENGTH_MAX,
  globalNameLengthMax: GLOBAL_NAME_LENGTH_MAX,
  loginNameLengthMax: LOGIN_NAME_LENGTH_MAX,
  nicknameLengthMax: NICKNAME_LENGTH_MAX,
  petnameLengthMax: PETNAME_LENGTH_MAX,
  lengthRanges: [
    [WALLET_NAME_LENGTH_MIN, WALLET_NAME_LENGTH_MAX],
    [AGENT_NAME_LENGTH_MIN, AGENT_NAME_LENGTH_MAX],
    [GLOBAL_NAME_LENGTH_MIN, GLOBAL_NAME_LENGTH_MAX],
    [NICKNAME_LENGTH_MIN, NICKNAME_LENGTH_MAX],
    [PETNAME_LENGTH_MIN, PETNAME_LENGTH_MAX],
  ],
  keyTextLength: KEY_TEXT_LENGTH,
  keyDisplayCharacters: KEY_DISPLAY_HEAD_CHARACTERS + KEY_DISPLAY_TAIL_CHARACTERS,
};

/** How the limits must relate; run at startup, a violation is a bug and crashes. */
export function checkNameLimits(limits: NameLimits): void {
  const { walletNameLengthMax, agentNameLengthMax, globalNameLengthMax, loginNameLengthMax } = limits;
  assert.equal(loginNameLengthMax, walletNameLengthMax + 1 + agentNameLengthMax, 'login name max = wallet max + "@" + agent max');
  // An agent is a peer registered on the chain under a global name: the agent part must hold any of them.
  assert.ok(globalNameLengthMax <= agentNameLengthMax, 'a global name fits the agent part of a login name');
  for (const lengthMax of [loginNameLengthMax, limits.nicknameLengthMax, limits.petnameLengthMax]) {
    assert.ok(lengthMax * UTF8_BYTES_PER_CODE_POINT_MAX <= NAME_UTF8_BYTES_MAX, `${lengthMax} code points fit ${NAME_UTF8_BYTES_MAX} UTF-8 bytes`);
  }
  for (const [lengthMin, lengthMax] of limits.lengthRanges) {
    assert.ok(Number.isInteger(lengthMin) && lengthMin >= 1, 'no name may be empty');
    assert.ok(lengthMin <= lengthMax, `a name length range ${lengthMin}..${lengthMax} is not empty`);
  }
  assert.ok(limits.keyTextLength <= BECH32_TEXT_LENGTH_MAX, 'a printed key is a valid bech32 length');
  assert.ok(limits.keyDisplayCharacters < KEY_DATA_CHARACTERS, 'an abbreviated key is shorter than the key');
}

checkNameLimits(NAME_LIMITS);
