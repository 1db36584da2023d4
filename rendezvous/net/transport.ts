import type { NetErrorCode } from '../errors.ts';

/**
 * The datagram transport every upper layer is written against (STYLE 2): the real UDP
 * socket (udp.ts) and the seeded in-memory network (memory.ts) both implement it and both
 * pass the same compliance suite (test/net/compliance.ts).
 *
 * Contract:
 * - `send` never throws for a network-level failure (unreachable, oversized, closed):
 *   the datagram is dropped and the reason is logged. UDP is lossy anyway, so upper
 *   layers already cope with a missing datagram.
 * - Datagrams are delivered asynchronously, never from inside `send`, so a handler may
 *   call `send` without re-entering its own caller.
 * - The transport may keep a reference to `bytes` until the datagram leaves: do not
 *   mutate a buffer after handing it to `send`.
 * - After `close()` nothing is delivered and `send` is a logged no-op; `close` is idempotent.
 */
export interface DatagramTransport {
  /** Where peers reach this endpoint, e.g. `127.0.0.1:40000` or `[::1]:40000`. */
  readonly localAddress: Address;
  send(bytes: Uint8Array, to: Address): void;
  /**
   * Sends one datagram with per-datagram options and resolves once it has left (the socket's
   * send callback), so a caller may send the next one with another TTL. Optional: a transport
   * without it cannot set a TTL. Failures are logged like send()'s, and the promise resolves.
   */
  sendWithOptions?(bytes: Uint8Array, to: Address, options: SendOptions): Promise<void>;
  /** Sets the one handler for incoming datagrams (a later call replaces it). */
  onDatagram(handler: DatagramHandler): void;
  close(): Promise<void>;
}

export type DatagramHandler = (bytes: Uint8Array, from: Address) => void;

/** `ttl`: the IP time-to-live for this one datagram (a punch opener dies a hop or two out). */
export type SendOptions = { ttl?: number };

/** `host:port`; an IPv6 host is bracketed (`[::1]:4000`), as in URLs (RFC 3986 §3.2.2). */
export type Address = `${string}:${number}`;

/** Why a transport dropped something; handed to the injected log, never thrown. */
export type TransportLog = (event: { code: NetErrorCode; message: string }) => void;

export const ignoreTransportLog: TransportLog = () => {};

/** Splits `host:port` (or `[v6]:port`); undefined when it is not a usable address. */
export function parseAddress(address: string): { host: string; port: number } | undefined {
  const colon = address.lastIndexOf(':');
  if (colon <= 0) return undefined;
  let host = address.slice(0, colon);
  const portText = address.slice(colon + 1);
  if (!/^[0-9]{1,5}$/.test(portText)) return undefined;
  const port = Number(portText);
  if (port > 65_535) return undefined;
  if (host.startsWith('[')) {
    if (!host.endsWith(']')) return undefined;
    host = host.slice(1, -1);
  } else if (host.includes(':')) {
    return undefined; // an unbracketed IPv6 host is ambiguous
  }
  if (host.length === 0) return undefined;
  return { host, port };
}

export function formatAddress(host: string, port: number): Address {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function isAddress(value: string): value is Address {
  return parseAddress(value) !== undefined;
}
