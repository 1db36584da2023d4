import { ParleyError } from '../names/index.ts';

/**
 * Expected failures of client/, one stable `code` each. The CLI prints the message (which names
 * what is wrong: the file, the flag, the peer) and exits non-zero; scripts read the code from
 * `--json` output.
 */
export const clientErrorCodes = [
  // command line and files
  'CLIENT_USAGE', // a command line that does not parse (the message says what is missing)
  'CLIENT_NOT_INITIALIZED', // no wallet in the data directory: run `parley init`
  'CLIENT_ALREADY_INITIALIZED', // init into a directory that holds a wallet already
  'CLIENT_BAD_FILE', // a wallet, key or agents file that does not parse, or a key file others can read
  'CLIENT_UNKNOWN_AGENT', // a login name whose agent is not in the local agents directory
  // the home agent
  'CLIENT_AGENT_UNREACHABLE', // no session with the agent within the timeout
  'CLIENT_LOGIN_REFUSED', // the agent refused the account login (taken, bad name, …)
  // connecting to a peer
  'CLIENT_PEER_OFFLINE', // the target is not online at its agent (answered at once)
  'CLIENT_INTRODUCTION_REFUSED', // the agent refused the introduction (rate limit, busy, not here)
  'CLIENT_CONNECT_FAILED', // no path: punching and the relay both failed
  'CLIENT_CONNECT_TIMEOUT', // no session with the peer within the timeout
  'CLIENT_SEND_FAILED', // the session closed before the peer acknowledged a message
] as const;
export type ClientErrorCode = (typeof clientErrorCodes)[number];

export class ClientError extends ParleyError<ClientErrorCode> {}
