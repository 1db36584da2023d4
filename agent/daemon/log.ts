/**
 * The daemon's event log: one line per event on stderr, `<ISO time> <CODE> <message>`, so
 * `grep ACCOUNT_TAKEN` or `awk '{print $2}' | sort | uniq -c` work on it. Codes are the stable
 * error codes of agent/errors.ts and rendezvous/errors.ts, or upper-case event names
 * (SESSION_OPEN, LOGIN, ONLINE, INTRODUCE, RELAY, READY, STOP).
 */
export type EventLog = (code: string, message: string) => void;

export function lineLog(write: (line: string) => void, wallMs: () => number = Date.now): EventLog {
  return (code, message) => write(`${new Date(wallMs()).toISOString()} ${code} ${message.replace(/\s*\n\s*/g, ' ')}\n`);
}

export const stderrLog: EventLog = lineLog((line) => void process.stderr.write(line));

/** A key in log lines: the first 16 hex digits are enough to tell wallets apart in one agent's log. */
export function shortKey(keyHex: string): string {
  return `${keyHex.slice(0, 16)}…`;
}
