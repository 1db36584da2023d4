import { codePointOf, describeCharacter, formatCodePoint, invisibleKind, quoteForMessage } from './characters.ts';
import {
  KEY_DISPLAY_HEAD_CHARACTERS,
  KEY_DISPLAY_TAIL_CHARACTERS,
  NAME_COMBINING_MARKS_RUN_MAX,
  NAME_INPUT_UTF16_UNITS_PER_CODE_POINT_MAX,
  NICKNAME_LENGTH_MAX,
  NICKNAME_LENGTH_MIN,
  PETNAME_LENGTH_MAX,
  PETNAME_LENGTH_MIN,
} from './constants.ts';
import type { IdentityKeyText } from './encoding.ts';
import { NamesError } from './errors.ts';

/**
 * Zooko names: a contact is a triangle of its public key (secure, global), the nickname it
 * claims for itself (global, forgeable) and the petname the local user gave it (local, trusted).
 * Display rule: a petname is shown plainly; without one the contact is shown as unverified,
 * with its nickname marked as a claim (`~` and the abbreviated key). A nickname never becomes
 * a petname by itself: only the user's explicit choice makes one (petnames.ts).
 */
declare const zookoBrand: unique symbol;
/** Self-chosen, received from the network: validated with validateNickname. */
export type Nickname = string & { readonly [zookoBrand]: 'nickname' };
/** Chosen by the local user: validated with validatePetname. */
export type Petname = string & { readonly [zookoBrand]: 'petname' };

export type ZookoName = { readonly key: IdentityKeyText; readonly nickname?: Nickname; readonly petname?: Petname };

export type ZookoDisplay =
  | {
      readonly status: 'trusted';
      readonly petname: Petname;
      /** The contact's own claim, for a UI that wants to show it beside the petname. */
      readonly claimedNickname: Nickname | undefined;
      readonly key: IdentityKeyText;
      readonly keyShort: string;
      readonly text: string;
    }
  | {
      readonly status: 'unverified';
      readonly claimedNickname: Nickname | undefined;
      readonly key: IdentityKeyText;
      readonly keyShort: string;
      readonly text: string;
    };

/** The marker in front of a claimed nickname; neither a nickname nor a petname may start with it. */
export const CLAIM_MARKER = '~';
/**
 * Characters of the unverified display frame `~nick (unverified, pw1…)`: a nickname may not
 * contain them, so it cannot draw a frame of its own ("bob (verified)").
 */
const NICKNAME_FORBIDDEN = '~(),…';

/**
 * A nickname: NFC, 1..48 code points, no invisible, control or non-ASCII space characters,
 * single spaces between words only, no marks without a base or more than 4 in a row, none of
 * `~ ( ) , …`. Returns the NFC form; BAD_NICKNAME says what and where.
 */
export function validateNickname(text: string): Nickname {
  return validateDisplayName(text, 'nickname', NICKNAME_LENGTH_MIN, NICKNAME_LENGTH_MAX, 'BAD_NICKNAME', NICKNAME_FORBIDDEN) as Nickname;
}

/**
 * A petname: the same character rules as a nickname (the user may still be shown a pasted one),
 * 1..63 code points, and only `~` at the start is refused, so a petname never looks like a claim.
 */
export function validatePetname(text: string): Petname {
  const petname = validateDisplayName(text, 'petname', PETNAME_LENGTH_MIN, PETNAME_LENGTH_MAX, 'BAD_PETNAME', '');
  if (petname.startsWith(CLAIM_MARKER)) {
    throw new NamesError('BAD_PETNAME', `petname ${quoteForMessage(petname)}: '~' (U+007E) at index 0; a leading '~' marks claimed nicknames`);
  }
  return petname as Petname;
}

/** The contact as it must be shown; see the display rule above. */
export function displayZookoName(name: ZookoName): ZookoDisplay {
  const keyShort = abbreviateKey(name.key);
  const claimedNickname = name.nickname;
  if (name.petname !== undefined) {
    return { status: 'trusted', petname: name.petname, claimedNickname, key: name.key, keyShort, text: name.petname };
  }
  const claim = claimedNickname === undefined ? '' : `${CLAIM_MARKER}${claimedNickname} `;
  return { status: 'unverified', claimedNickname, key: name.key, keyShort, text: `${claim}(unverified, ${keyShort})` };
}

/** `pw1q9x8ab…k3l0zz`: prefix and separator, the first and last data characters. */
export function abbreviateKey(key: string): string {
  const separator = key.lastIndexOf('1');
  const data = key.slice(separator + 1);
  if (data.length <= KEY_DISPLAY_HEAD_CHARACTERS + KEY_DISPLAY_TAIL_CHARACTERS) return key;
  return `${key.slice(0, separator + 1)}${data.slice(0, KEY_DISPLAY_HEAD_CHARACTERS)}…${data.slice(-KEY_DISPLAY_TAIL_CHARACTERS)}`;
}

function validateDisplayName(
  text: string,
  field: string,
  lengthMin: number,
  lengthMax: number,
  code: 'BAD_NICKNAME' | 'BAD_PETNAME',
  forbidden: string,
): string {
  if (typeof text !== 'string') throw new NamesError(code, `${field}: expected a string, got ${text === null ? 'null' : typeof text}`);
  if (text.length > lengthMax * NAME_INPUT_UTF16_UNITS_PER_CODE_POINT_MAX) {
    throw new NamesError(code, `${field}: ${text.length} UTF-16 units long, far over the limit of ${lengthMax} characters`);
  }
  const normalized = text.normalize('NFC');
  const characters = Array.from(normalized);
  const fail = (what: string, index?: number, hint?: string): never => {
    const where = index === undefined ? '' : ` at index ${index}`;
    throw new NamesError(code, `${field} ${quoteForMessage(normalized)}: ${what}${where}${hint === undefined ? '' : `; ${hint}`}`);
  };
  if (characters.length < lengthMin) fail(characters.length === 0 ? 'empty' : `${characters.length} characters long, at least ${lengthMin}`);
  if (characters.length > lengthMax) fail(`${characters.length} characters long, at most ${lengthMax}`);
  let marksRun = 0;
  for (let index = 0; index < characters.length; index++) {
    const character = characters[index]!;
    const problem = describeDisplayProblem(characters, index, forbidden);
    if (problem !== undefined) fail(problem.what, index, problem.hint);
    marksRun = /^\p{M}$/u.test(character) ? marksRun + 1 : 0;
    if (marksRun > NAME_COMBINING_MARKS_RUN_MAX) {
      fail(`combining mark ${formatCodePoint(codePointOf(character))}`, index, `at most ${NAME_COMBINING_MARKS_RUN_MAX} marks in a row`);
    }
  }
  return normalized;
}

function describeDisplayProblem(characters: readonly string[], index: number, forbidden: string): { what: string; hint?: string } | undefined {
  const character = characters[index]!;
  const codePoint = formatCodePoint(codePointOf(character));
  const invisible = invisibleKind(character);
  if (invisible !== undefined) return { what: `${invisible} ${codePoint}` };
  if (character === ' ') {
    if (index === 0) return { what: 'space U+0020', hint: 'no space at the start' };
    if (index === characters.length - 1) return { what: 'space U+0020', hint: 'no space at the end' };
    if (characters[index - 1] === ' ') return { what: 'space U+0020', hint: 'no two spaces in a row' };
    return undefined;
  }
  if (/^\p{White_Space}$/u.test(character)) return { what: `space ${codePoint}`, hint: 'the only space allowed is U+0020' };
  if (forbidden.includes(character)) return { what: describeCharacter(character), hint: 'the display of an unverified contact uses it' };
  if (/^\p{M}$/u.test(character) && (index === 0 || !/^[\p{L}\p{N}\p{M}]$/u.test(characters[index - 1]!))) {
    return { what: `combining mark ${codePoint}`, hint: 'a mark must follow a letter or digit' };
  }
  return undefined;
}
