import { NamesError, validateAgentName, validateGlobalName } from '../../names/index.ts';

/**
 * Which strings may be registered on the chain: global names (names/ login.ts and label.ts have
 * the grammar: NFC, one script, no confusables, 3..31 characters), and agent names, which are
 * global names an agent's key owns. The chain stores a name exactly as written, so it must
 * already be canonical: a name the validator would normalize is refused, not rewritten, and
 * every agent compares the same bytes.
 *
 * Returns the reason a name is refused, or undefined when it is valid.
 */
export function globalNameProblem(name: string): string | undefined {
  return problem(() => validateGlobalName(name), name);
}

export function agentNameProblem(name: string): string | undefined {
  return globalNameProblem(name) ?? problem(() => validateAgentName(name), name);
}

function problem(validate: () => string, name: string): string | undefined {
  try {
    if (validate() !== name) return `name ${JSON.stringify(name)} is not in NFC (its canonical form)`;
    return undefined;
  } catch (error) {
    if (error instanceof NamesError) return error.message;
    throw error;
  }
}
