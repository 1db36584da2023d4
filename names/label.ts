import { codePointOf, describeCharacter, formatCodePoint, invisibleKind, quoteForMessage } from './characters.ts';
import { findWholeScriptConfusable } from './confusables.ts';
import {
  AGENT_NAME_LENGTH_MAX,
  AGENT_NAME_LENGTH_MIN,
  GLOBAL_NAME_LENGTH_MAX,
  GLOBAL_NAME_LENGTH_MIN,
  NAME_COMBINING_MARKS_RUN_MAX,
  WALLET_NAME_LENGTH_MAX,
  WALLET_NAME_LENGTH_MIN,
} from './constants.ts';

/**
 * The rules every name part obeys — the wallet and agent of `wallet@agent`, agent (peer) names
 * and global names. docs/PROTOCOL.md "Login names" has the grammar; in short, after NFC:
 * lower-case letters of one script (UAX 31 recommended scripts, Han with kana/Hangul/Bopomofo
 * counting as one writing system, UTS 39 §5.1 "highly restrictive"), combining marks of that
 * script, digits 0-9, and `-` `.` `_` between them (never first, last, or two in a row);
 * no invisible, control, compatibility or upper-case characters; no whole-script confusables.
 */
export type NamePartKind = 'wallet' | 'agent' | 'global';

/**
 * What is wrong (`what`, plus an optional `hint` on how to fix it) and where: `index` counts
 * code points of the NFC form from 0, and is absent for problems of the whole part (length).
 */
export type NameProblem = {
  readonly what: string;
  readonly index?: number;
  readonly codePoint?: number;
  readonly hint?: string;
};

export const NAME_PART_LABELS: Readonly<Record<NamePartKind, string>> = {
  wallet: 'wallet name',
  agent: 'agent name',
  global: 'global name',
};

const LENGTHS: Readonly<Record<NamePartKind, { readonly min: number; readonly max: number }>> = {
  wallet: { min: WALLET_NAME_LENGTH_MIN, max: WALLET_NAME_LENGTH_MAX },
  agent: { min: AGENT_NAME_LENGTH_MIN, max: AGENT_NAME_LENGTH_MAX },
  global: { min: GLOBAL_NAME_LENGTH_MIN, max: GLOBAL_NAME_LENGTH_MAX },
};

/** UAX 31 Table 4 (Recommended Scripts): scripts in everyday use today. */
export const NAME_SCRIPTS = [
  'Latin', 'Greek', 'Cyrillic', 'Armenian', 'Georgian', 'Hebrew', 'Arabic', 'Thaana', 'Ethiopic',
  'Devanagari', 'Bengali', 'Gurmukhi', 'Gujarati', 'Oriya', 'Tamil', 'Telugu', 'Kannada', 'Malayalam',
  'Sinhala', 'Thai', 'Lao', 'Tibetan', 'Myanmar', 'Khmer', 'Han', 'Hiragana', 'Katakana', 'Hangul', 'Bopomofo',
] as const;
export type NameScript = (typeof NAME_SCRIPTS)[number];
type WritingSystem = NameScript | 'Japanese' | 'Chinese' | 'Korean';

/** UTS 39 §5.1 augmented script sets: Han mixes with kana (Japanese), Hangul (Korean), Bopomofo (Chinese). */
const AUGMENTED: Partial<Record<NameScript, readonly WritingSystem[]>> = {
  Han: ['Japanese', 'Chinese', 'Korean'],
  Hiragana: ['Japanese'],
  Katakana: ['Japanese'],
  Hangul: ['Korean'],
  Bopomofo: ['Chinese'],
};

const SCRIPT_PATTERNS = NAME_SCRIPTS.map((script) => [script, new RegExp(`^\\p{Script_Extensions=${script}}$`, 'u')] as const);
const SEPARATORS = '-._';
/**
 * Latin letters that are phonetic or typographic variants of ordinary ones (UTS 39 "technical"
 * and "not XID"): IPA Extensions, Spacing Modifier Letters, Phonetic Extensions (small
 * capitals) and the click letters that pass for `l`, `|`, `!`.
 */
const RESTRICTED_LETTERS = /^[\u0250-\u02FF\u1D00-\u1DBF\u01C0-\u01C3\uA700-\uA71F]$/u;

/** The first problem of a name part, or undefined when it is a valid name of this kind. */
export function checkNamePart(kind: NamePartKind, text: string): NameProblem | undefined {
  const characters = Array.from(text.normalize('NFC'));
  const { min, max } = LENGTHS[kind];
  if (characters.length === 0) return { what: 'empty' };
  if (characters.length > max) return { what: `${characters.length} characters long, at most ${max}` };
  if (characters.length < min) return { what: `${characters.length} characters long, at least ${min}` };
  const scan = new ScriptScan();
  for (let index = 0; index < characters.length; index++) {
    const problem = checkCharacter(characters, index, scan);
    if (problem !== undefined) return { ...problem, index, codePoint: codePointOf(characters[index]!) };
  }
  const confusable = findWholeScriptConfusable(characters);
  if (confusable === undefined) return undefined;
  const first = characters[confusable.index]!;
  return {
    what: `only ${confusable.script} letters that look like Latin ones, starting with ${describeCharacter(first)}`,
    index: confusable.index,
    codePoint: codePointOf(first),
    hint: `it reads as ${quoteForMessage(confusable.looksLike)}`,
  };
}

/**
 * `wallet name "Alice": upper-case letter 'A' (U+0041) at index 0; names are lower case: write "alice"`.
 * Inside a login name, `loginOffset` (code points before the part) adds the index in the whole.
 */
export function formatNameProblem(kind: NamePartKind, text: string, problem: NameProblem, loginOffset?: number): string {
  const { what, index, hint } = problem;
  let message = `${NAME_PART_LABELS[kind]} ${quoteForMessage(text.normalize('NFC'))}: ${what}`;
  if (index !== undefined) message += ` at index ${index}`;
  if (index !== undefined && loginOffset !== undefined && loginOffset > 0) message += ` (index ${loginOffset + index} of the login name)`;
  if (hint !== undefined) message += `; ${hint}`;
  return message;
}

type CharacterProblem = { readonly what: string; readonly hint?: string };

/** The writing systems seen so far; a name must keep at least one in common across its letters. */
class ScriptScan {
  systems: Set<WritingSystem> | undefined;
  firstScripts = '';
  marksRun = 0;

  /** Undefined when `character` fits, else the problem. */
  add(character: string, scripts: readonly NameScript[]): CharacterProblem | undefined {
    const systems = new Set<WritingSystem>(scripts.flatMap((script) => [script, ...(AUGMENTED[script] ?? [])]));
    if (this.systems === undefined) {
      this.systems = systems;
      this.firstScripts = scripts.join('/');
      return undefined;
    }
    const common = new Set([...this.systems].filter((system) => systems.has(system)));
    if (common.size === 0) {
      return {
        what: `${scripts.join('/')} ${describeCharacter(character)}`,
        hint: `a name is written in one script, and the letters before it are ${this.firstScripts}`,
      };
    }
    this.systems = common;
    return undefined;
  }
}

function scriptsOf(character: string): NameScript[] {
  return SCRIPT_PATTERNS.filter(([, pattern]) => pattern.test(character)).map(([script]) => script);
}

function checkCharacter(characters: readonly string[], index: number, scan: ScriptScan): CharacterProblem | undefined {
  const character = characters[index]!;
  const isMark = /^\p{M}$/u.test(character);
  if (!isMark) scan.marksRun = 0;
  const invisible = invisibleKind(character);
  if (invisible !== undefined) return { what: `${invisible} ${formatCodePoint(codePointOf(character))}` };
  if (/^\p{White_Space}$/u.test(character)) return { what: `space ${formatCodePoint(codePointOf(character))}` };
  const compatible = character.normalize('NFKC');
  if (compatible !== character) {
    return { what: `compatibility character ${describeCharacter(character)}`, hint: `write ${quoteForMessage(compatible.toLowerCase())}` };
  }
  if (/^[\p{Lu}\p{Lt}]$/u.test(character)) {
    const suggestion = characters.join('').toLowerCase().normalize('NFC');
    return { what: `upper-case letter ${describeCharacter(character)}`, hint: `names are lower case: write ${quoteForMessage(suggestion)}` };
  }
  if (SEPARATORS.includes(character)) return checkSeparator(characters, index);
  if (/^[0-9]$/u.test(character)) return undefined;
  if (/^\p{N}$/u.test(character)) return { what: `digit or number ${describeCharacter(character)}`, hint: 'only the digits 0-9 are allowed' };
  if (/^\p{L}$/u.test(character)) return checkLetter(character, scan);
  if (isMark) return checkMark(characters, index, scan);
  return { what: `character ${describeCharacter(character)}`, hint: "names use only letters, digits 0-9, '-', '.' and '_'" };
}

function checkSeparator(characters: readonly string[], index: number): CharacterProblem | undefined {
  const what = `separator ${describeCharacter(characters[index]!)}`;
  if (index === 0) return { what, hint: 'a name cannot start with a separator' };
  if (index === characters.length - 1) return { what, hint: 'a name cannot end with a separator' };
  if (SEPARATORS.includes(characters[index - 1]!)) return { what, hint: 'two separators cannot follow each other' };
  return undefined;
}

function checkLetter(character: string, scan: ScriptScan): CharacterProblem | undefined {
  if (RESTRICTED_LETTERS.test(character)) return { what: `phonetic or modifier letter ${describeCharacter(character)}`, hint: 'use an ordinary letter' };
  const scripts = scriptsOf(character);
  if (scripts.length === 0) return { what: `letter ${describeCharacter(character)}`, hint: 'its script is not one names use' };
  return scan.add(character, scripts);
}

/**
 * Marks must follow a letter or a mark, belong to the letter's script (a generic mark such as
 * U+0301 that NFC could not fold into a precomposed letter is refused: it is how "i" + U+0307
 * or stacked accents pass for other letters), and not repeat or pile up (UTS 39 §5.4).
 */
function checkMark(characters: readonly string[], index: number, scan: ScriptScan): CharacterProblem | undefined {
  const character = characters[index]!;
  const what = `combining mark ${formatCodePoint(codePointOf(character))}`;
  const previous = index > 0 ? characters[index - 1]! : '';
  if (!/^[\p{L}\p{M}]$/u.test(previous)) return { what, hint: 'a mark must follow a letter' };
  if (/^[\p{Script=Inherited}\p{Script=Common}]$/u.test(character)) {
    return { what, hint: 'generic marks are not allowed; only precomposed letters and marks of the letter\'s own script' };
  }
  if (previous === character) return { what, hint: 'it repeats the mark before it' };
  scan.marksRun += 1;
  if (scan.marksRun > NAME_COMBINING_MARKS_RUN_MAX) return { what, hint: `at most ${NAME_COMBINING_MARKS_RUN_MAX} marks in a row` };
  const scripts = scriptsOf(character);
  if (scripts.length === 0) return { what, hint: 'its script is not one names use' };
  return scan.add(character, scripts);
}
