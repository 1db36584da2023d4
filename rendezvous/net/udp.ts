import { createSocket } from 'node:dgram';
import type { RemoteInfo, Socket } from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { isIP, isIPv6 } from 'node:net';
import { netDatagramBytesMax, netSocketBufferBytes, socketDefaultTtl } from '../constants.ts';
import { RendezvousError } from '../errors.ts';
import { loadUdpNative } from './native.ts';
import { NativeUdpPath, type Acceleration, type NativeDestination } from './udp-native.ts';
import { formatAddress, ignoreTransportLog, parseAddress } from './transport.ts';
import type { Address, DatagramHandler, DatagramTransport, SendOptions, TransportLog } from './transport.ts';

/**
 * The real UDP shell over node:dgram: the only place in rendezvous/ that owns a socket.
 * It does no pacing of its own: callers pace (the reliable channel does), because an
 * unpaced burst on loopback loses about half its datagrams (docs/DECISIONS.md).
 */
export interface UdpTransportOptions {
  /** Address to bind; default 127.0.0.1. Use `::` / `0.0.0.0` to listen on every interface. */
  host?: string;
  /** Port to bind; 0 (the default) picks a free one. */
  port?: number;
  /** SO_RCVBUF and SO_SNDBUF; the kernel caps them at net.core.rmem_max / wmem_max. */
  bufferBytes?: number;
  /**
   * Batched sendmmsg/GSO and recvmmsg/GRO through rendezvous/native/ when it is built (Linux);
   * default true. false: node:dgram alone, one system call per datagram (the benchmark's raw
   * baseline, and the compliance suite's second run).
   */
  native?: boolean;
  log?: TransportLog;
}

/** Binds a UDP socket; the one failure thrown is NET_BIND_FAILED (port taken, bad host). */
export async function openUdpTransport(options: UdpTransportOptions = {}): Promise<UdpTransport> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? ignoreTransportLog;
  const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4', lookup: literalLookup });
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      socket.close();
      reject(new RendezvousError('NET_BIND_FAILED', `udp: cannot bind ${host}:${options.port ?? 0}: ${error.message}`, { cause: error }));
    };
    socket.once('error', onError);
    socket.bind(options.port ?? 0, host, () => {
      socket.off('error', onError);
      resolve();
    });
  });
  const bufferBytes = options.bufferBytes ?? netSocketBufferBytes;
  try {
    socket.setRecvBufferSize(bufferBytes);
    socket.setSendBufferSize(bufferBytes);
  } catch (error) {
    log({ code: 'NET_SOCKET_ERROR', message: `udp: cannot set socket buffers to ${bufferBytes} bytes: ${String(error)}` });
  }
  const native = options.native === false ? undefined : loadUdpNative();
  return new UdpTransport(socket, log, native === undefined ? undefined : (label) => NativeUdpPath.attach(native, socket, log, label));
}

/**
 * node:dgram resolves every destination through a lookup, and dns.lookup answers even an IP
 * literal on the next tick, so each send() costs a closure and a tick, and a TTL set before
 * send() would apply to whatever leaves on that tick. Our destinations are always IP literals:
 * answered synchronously, send() hands the datagram to the kernel before it returns.
 */
function literalLookup(hostname: string, options: LookupOneOptions, callback: (error: Error | null, address: string, family: number) => void): void {
  const family = isIP(hostname);
  if (family !== 0) return callback(null, hostname, family);
  dnsLookup(hostname, options, callback);
}

export class UdpTransport implements DatagramTransport {
  readonly localAddress: Address;
  #socket: Socket;
  #handler: DatagramHandler | undefined;
  #closed = false;
  #log: TransportLog;
  /** Parsed destinations, so the hot path does not re-parse `host:port` per datagram. */
  #destinations = new Map<string, { host: string; port: number; sockaddr?: Uint8Array }>();
  /** The batched native path, when the addon is built and took the socket (udp-native.ts). */
  #native: NativeUdpPath | undefined;
  /** While a datagram with its own TTL is on its way, plain sends wait here so they keep the default TTL. */
  #held: { bytes: Uint8Array; to: Address }[] | undefined;
  #ttlChain: Promise<void> = Promise.resolve();

  constructor(socket: Socket, log: TransportLog, attachNative?: (label: string) => NativeUdpPath | undefined) {
    this.#socket = socket;
    this.#log = log;
    const bound = socket.address();
    this.localAddress = formatAddress(bound.address, bound.port);
    socket.on('message', (message: Buffer, remote: RemoteInfo) => this.#receive(message, remote));
    this.#native = attachNative?.(this.localAddress);
    this.#native?.startReceiving((bytes, from) => this.#handler?.(bytes, from), () => !this.#closed);
    // Without a listener an 'error' event would crash the process (STYLE 6: log, keep running).
    socket.on('error', (error) => this.#log({ code: 'NET_SOCKET_ERROR', message: `udp ${this.localAddress}: ${error.message}` }));
  }

  /** Which parts of the native path are in use; all false on node:dgram alone. */
  get acceleration(): Acceleration {
    return this.#native?.acceleration ?? { send: false, gso: false, receive: false, gro: false };
  }

  /** SO_RCVBUF / SO_SNDBUF as the kernel reports them (Linux reports double what was set). */
  bufferSizes(): { receiveBytes: number; sendBytes: number } {
    return { receiveBytes: this.#socket.getRecvBufferSize(), sendBytes: this.#socket.getSendBufferSize() };
  }

  send(bytes: Uint8Array, to: Address): void {
    if (this.#held !== undefined) {
      this.#held.push({ bytes, to });
      return;
    }
    this.#sendNow(bytes, to);
  }

  /** TTL sends run one at a time: set the TTL, send, and set it back in the send callback. */
  sendWithOptions(bytes: Uint8Array, to: Address, options: SendOptions): Promise<void> {
    if (options.ttl === undefined && this.#held === undefined) return new Promise((resolve) => this.#sendNow(bytes, to, resolve));
    const ttl = options.ttl ?? socketDefaultTtl;
    const sent = this.#ttlChain.then(() => this.#sendWithTtl(bytes, to, ttl));
    this.#ttlChain = sent;
    return sent;
  }

  async #sendWithTtl(bytes: Uint8Array, to: Address, ttl: number): Promise<void> {
    if (this.#closed) return this.#sendNow(bytes, to);
    this.#native?.flush(); // queued plain sends leave first, with the default TTL
    this.#held = [];
    try {
      this.#socket.setTTL(ttl);
      await new Promise<void>((resolve) => this.#sendNow(bytes, to, resolve));
    } catch (error) {
      this.#log({ code: 'NET_SEND_FAILED', message: `udp ${this.localAddress}: TTL ${ttl} to ${to}: ${String(error)}` });
    } finally {
      if (!this.#closed) this.#socket.setTTL(socketDefaultTtl);
      const held = this.#held;
      this.#held = undefined;
      for (const datagram of held) this.#sendNow(datagram.bytes, datagram.to);
    }
  }

  /** `done`, when given, runs once the datagram has left (or was dropped with a logged reason). */
  #sendNow(bytes: Uint8Array, to: Address, done?: () => void): void {
    const problem = this.#check(bytes, to);
    const destination = problem === undefined ? this.#destination(to) : undefined;
    if (destination === undefined) {
      this.#log(problem ?? { code: 'NET_BAD_ADDRESS', message: `udp ${this.localAddress}: bad destination ${JSON.stringify(to)}` });
      done?.();
      return;
    }
    if (done === undefined && this.#native !== undefined && destination.sockaddr !== undefined) return this.#native.queue(bytes, to, destination as NativeDestination);
    this.#native?.flush(); // a send with a callback goes through node:dgram: what is queued leaves first
    try {
      // Without `done`, no callback: a failed send surfaces as an 'error' event, logged above;
      // a callback per datagram costs measurable throughput.
      if (done === undefined) this.#socket.send(bytes, destination.port, destination.host);
      else this.#socket.send(bytes, destination.port, destination.host, () => done());
    } catch (error) {
      this.#log({ code: 'NET_SEND_FAILED', message: `udp ${this.localAddress}: send to ${to}: ${String(error)}` });
      done?.();
    }
  }

  #check(bytes: Uint8Array, to: Address): { code: 'NET_SEND_AFTER_CLOSE' | 'NET_DATAGRAM_TOO_LARGE'; message: string } | undefined {
    if (this.#closed) return { code: 'NET_SEND_AFTER_CLOSE', message: `udp ${this.localAddress}: send to ${to} after close` };
    if (bytes.length > netDatagramBytesMax) return { code: 'NET_DATAGRAM_TOO_LARGE', message: `udp ${this.localAddress}: ${bytes.length} bytes exceed ${netDatagramBytesMax}` };
    return undefined;
  }

  onDatagram(handler: DatagramHandler): void {
    this.#handler = handler;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#native?.stop();
    this.#closed = true;
    this.#handler = undefined;
    await new Promise<void>((resolve) => this.#socket.close(() => resolve()));
  }

  #receive(message: Buffer, remote: RemoteInfo): void {
    if (this.#closed || this.#handler === undefined) return;
    // A plain Uint8Array view: Buffer#slice does not copy, which surprises code that expects it to.
    this.#handler(new Uint8Array(message.buffer, message.byteOffset, message.byteLength), formatAddress(remote.address, remote.port));
  }

  #destination(to: string): { host: string; port: number; sockaddr?: Uint8Array } | undefined {
    let destination = this.#destinations.get(to);
    if (destination === undefined) {
      const parsed = parseAddress(to);
      if (parsed === undefined || parsed.port === 0) return undefined;
      destination = this.#native?.destination(parsed.host, parsed.port) ?? parsed;
      if (this.#destinations.size >= 4096) this.#destinations.clear();
      this.#destinations.set(to, destination);
    }
    return destination;
  }
}
