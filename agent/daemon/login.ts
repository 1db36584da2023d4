import { NamesError, formatLoginName, parseLoginName, type LoginName, type WalletName } from '../../names/index.ts';
import type { AccountRefusal } from '../../rendezvous/index.ts';
import { accountsMax } from '../constants.ts';
import type { DaemonErrorCode } from '../errors.ts';
import type { AccountStore } from './accounts.ts';

/**
 * The account rule (DESIGN.md "Hosting"), pure apart from the store it is handed: the first
 * login of a wallet name binds it to the session's identity key; a later login of that name
 * must come from the same key, else `taken`. The session's handshake already proved the key,
 * so a login needs no signature of its own.
 */
export type LoginDecision =
  | { readonly ok: true; readonly login: LoginName; readonly wallet: WalletName; readonly created: boolean }
  | { readonly ok: false; readonly reason: AccountRefusal; readonly code: DaemonErrorCode; readonly message: string };

export interface LoginRequest {
  readonly loginText: string;
  readonly walletKeyHex: string;
  readonly agentName: string;
  readonly wallMs: number;
  /** Charged only when the login would create an account (a per-source token bucket). */
  readonly mayCreate: () => boolean;
}

export function decideLogin(store: AccountStore, request: LoginRequest): LoginDecision {
  let parts;
  try {
    parts = parseLoginName(request.loginText);
  } catch (error) {
    if (!(error instanceof NamesError)) throw error;
    return { ok: false, reason: 'bad-name', code: 'ACCOUNT_BAD_NAME', message: error.message };
  }
  const login = formatLoginName(parts);
  if (parts.agent !== request.agentName) {
    return { ok: false, reason: 'not-here', code: 'ACCOUNT_NOT_HERE', message: `${login}: this agent is ${request.agentName}, not ${parts.agent}` };
  }
  const existing = store.get(parts.wallet);
  if (existing !== undefined) {
    if (existing.walletKeyHex === request.walletKeyHex) return { ok: true, login, wallet: parts.wallet, created: false };
    return { ok: false, reason: 'taken', code: 'ACCOUNT_TAKEN', message: `${login} is bound to another wallet key (${existing.walletKeyHex.slice(0, 16)}…)` };
  }
  if (store.count() >= accountsMax) return { ok: false, reason: 'full', code: 'ACCOUNT_FULL', message: `${login}: ${accountsMax} accounts already` };
  if (!request.mayCreate()) return { ok: false, reason: 'rate-limited', code: 'ACCOUNT_RATE_LIMITED', message: `${login}: too many new accounts from this source` };
  if (!store.create({ name: parts.wallet, walletKeyHex: request.walletKeyHex, createdMs: request.wallMs })) {
    // Another session bound it between get and create: decide again against the winner.
    return decideLogin(store, request);
  }
  return { ok: true, login, wallet: parts.wallet, created: true };
}
