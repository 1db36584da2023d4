/**
 * Handshake patterns (Noise rev 34 §7.4 one-way, §7.5 interactive, §7.6 deferred), as data:
 * the pre-message static keys each side knows in advance, then the token lists of the
 * messages, which alternate starting with the initiator. Parley's sessions use IK and XX;
 * the rest cost one line each here and widen the cacophony vector coverage of the engine.
 * psk modifiers are not implemented.
 */
export type Token = 'e' | 's' | 'ee' | 'es' | 'se' | 'ss';

export type HandshakePattern = {
  readonly name: string;
  /** True for N, K and X: only the initiator sends, before and after the handshake. */
  readonly oneWay: boolean;
  readonly initiatorPreStatic: boolean;
  readonly responderPreStatic: boolean;
  readonly messages: readonly (readonly Token[])[];
};

// Notation: "->s" / "<-s" are the pre-messages; each "|" starts the next message.
const PATTERN_TEXT: Record<string, string> = {
  // one-way (§7.4)
  N: '<-s | e es',
  K: '->s <-s | e es ss',
  X: '<-s | e es s ss',
  // interactive, fundamental (§7.5)
  NN: '| e | e ee',
  NK: '<-s | e es | e ee',
  NX: '| e | e ee s es',
  KN: '->s | e | e ee se',
  KK: '->s <-s | e es ss | e ee se',
  KX: '->s | e | e ee se s es',
  XN: '| e | e ee | s se',
  XK: '<-s | e es | e ee | s se',
  XX: '| e | e ee s es | s se',
  IN: '| e s | e ee se',
  IK: '<-s | e es s ss | e ee se',
  IX: '| e s | e ee se s es',
  // interactive, deferred (§7.6)
  NK1: '<-s | e | e ee es',
  NX1: '| e | e ee s | es',
  X1N: '| e | e ee | s | se',
  X1K: '<-s | e es | e ee | s | se',
  XK1: '<-s | e | e ee es | s se',
  X1K1: '<-s | e | e ee es | s | se',
  X1X: '| e | e ee s es | s | se',
  XX1: '| e | e ee s | es s se',
  X1X1: '| e | e ee s | es s | se',
  K1N: '->s | e | e ee | se',
  K1K: '->s <-s | e es | e ee | se',
  KK1: '->s <-s | e | e ee se es',
  K1K1: '->s <-s | e | e ee es | se',
  K1X: '->s | e | e ee s es | se',
  KX1: '->s | e | e ee se s | es',
  K1X1: '->s | e | e ee s | se es',
  I1N: '| e s | e ee | se',
  I1K: '<-s | e es s | e ee | se',
  IK1: '<-s | e s | e ee se es',
  I1K1: '<-s | e s | e ee es | se',
  I1X: '| e s | e ee s es | se',
  IX1: '| e s | e ee se s | es',
  I1X1: '| e s | e ee s | se es',
};

const TOKENS: ReadonlySet<string> = new Set<Token>(['e', 's', 'ee', 'es', 'se', 'ss']);

function parsePattern(name: string, text: string): HandshakePattern {
  const [pre = '', ...messageTexts] = text.split('|').map((part) => part.trim());
  const messages = messageTexts.map((message) =>
    message.split(/\s+/).map((token) => {
      if (!TOKENS.has(token)) throw new Error(`pattern ${name}: unknown token ${token}`);
      return token as Token;
    }),
  );
  return {
    name,
    oneWay: name.length === 1,
    initiatorPreStatic: pre.includes('->s'),
    responderPreStatic: pre.includes('<-s'),
    messages,
  };
}

export const handshakePatterns: ReadonlyMap<string, HandshakePattern> = new Map(
  Object.entries(PATTERN_TEXT).map(([name, text]) => [name, parsePattern(name, text)]),
);
