import { quoteForMessage } from './characters.ts';
import { LOGIN_NAME_LENGTH_MAX, NAME_INPUT_UTF16_UNITS_PER_CODE_POINT_MAX } from './constants.ts';
import { NamesError } from './errors.ts';
import { NAME_PART_LABELS, checkNamePart, formatNameProblem, type NamePartKind } from './label.ts';

/**
 * Login names `wallet@agent`, like e-mail: `agent` is a peer registered on the chain, `wallet`
 * an account on it. Input is NFC-normalized (so equivalent spellings are one name); any other
 * deviation — upper case included — is rejected with an error that says what and where, and
 * suggests the lower-case spelling. Nothing is folded silently: the name you typed is the name
 * you get, and it is the same bytes everywhere it is compared. Rules: label.ts and
 * docs/PROTOCOL.md "Login names".
 */
declare const validName: unique symbol;

/** A name part that passed checkNamePart for its kind, in NFC. */
export type ValidNamePart<Kind extends NamePartKind> = string & { readonly [validName]: Kind };
export type WalletName = ValidNamePart<'wallet'>;
/** An agent is a peer: its name is the peer name registered on the chain. */
export type AgentName = ValidNamePart<'agent'>;
export type GlobalName = ValidNamePart<'global'>;
/** A validated, canonical `wallet@agent`. */
export type LoginName = `${string}@${string}` & { readonly [validName]: 'login' };
export type LoginNameParts = { readonly wallet: WalletName; readonly agent: AgentName };

export function validateWalletName(text: string): WalletName {
  return validatePart('wallet', text);
}

export function validateAgentName(text: string): AgentName {
  return validatePart('agent', text);
}

export function validateGlobalName(text: string): GlobalName {
  return validatePart('global', text);
}

/**
 * Splits and validates `wallet@agent`. BAD_LOGIN_NAME for the shape (not a string, far too
 * long, no `@` or more than one); BAD_NAME_PART, naming the part and the index both in the
 * part and in the login name, for anything wrong inside a part.
 */
export function parseLoginName(text: string): LoginNameParts {
  const normalized = normalizeInput(text, 'login name', LOGIN_NAME_LENGTH_MAX, 'BAD_LOGIN_NAME');
  const characters = Array.from(normalized);
  const at = characters.indexOf('@');
  if (at === -1) {
    throw new NamesError('BAD_LOGIN_NAME', `login name ${quoteForMessage(normalized)}: no '@'; expected wallet@agent`);
  }
  const secondAt = characters.indexOf('@', at + 1);
  if (secondAt !== -1) {
    throw new NamesError(
      'BAD_LOGIN_NAME',
      `login name ${quoteForMessage(normalized)}: a second '@' at index ${secondAt}; expected exactly one, as in wallet@agent`,
    );
  }
  const wallet = characters.slice(0, at).join('');
  const agent = characters.slice(at + 1).join('');
  return { wallet: validatePart('wallet', wallet, 0), agent: validatePart('agent', agent, at + 1) };
}

export function formatLoginName(parts: LoginNameParts): LoginName {
  return `${parts.wallet}@${parts.agent}` as LoginName;
}

/** The canonical login name for `text` (NFC), or the error parseLoginName gives. */
export function validateLoginName(text: string): LoginName {
  return formatLoginName(parseLoginName(text));
}

/** True when `text` is a login name already in canonical form (no normalization needed). */
export function isLoginName(text: unknown): text is LoginName {
  if (typeof text !== 'string') return false;
  try {
    return validateLoginName(text) === text;
  } catch (error) {
    if (error instanceof NamesError) return false;
    throw error;
  }
}

function validatePart<Kind extends NamePartKind>(kind: Kind, text: string, loginOffset?: number): ValidNamePart<Kind> {
  const normalized = loginOffset === undefined ? normalizeInput(text, NAME_PART_LABELS[kind], LOGIN_NAME_LENGTH_MAX, 'BAD_NAME_PART') : text;
  const problem = checkNamePart(kind, normalized);
  if (problem !== undefined) throw new NamesError('BAD_NAME_PART', formatNameProblem(kind, normalized, problem, loginOffset));
  return normalized as ValidNamePart<Kind>;
}

/**
 * Checks the type and a generous length bound before normalizing (so a hostile megabyte is
 * refused unread), then returns the NFC form.
 */
function normalizeInput(text: unknown, field: string, lengthMax: number, code: 'BAD_LOGIN_NAME' | 'BAD_NAME_PART'): string {
  if (typeof text !== 'string') throw new NamesError(code, `${field}: expected a string, got ${text === null ? 'null' : typeof text}`);
  if (text.length > lengthMax * NAME_INPUT_UTF16_UNITS_PER_CODE_POINT_MAX) {
    throw new NamesError(code, `${field}: ${text.length} UTF-16 units long, far over the limit of ${lengthMax} characters`);
  }
  return text.normalize('NFC');
}
