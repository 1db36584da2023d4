import { createSocket } from 'node:dgram';
import type { RemoteInfo, Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { netDatagramBytesMax, netSocketBufferBytes } from '../constants.ts';
import { RendezvousError } from '../errors.ts';
import { formatAddress, ignoreTransportLog, parseAddress } from './transport.ts';
import type { Address, DatagramHandler, DatagramTransport, TransportLog } from './transport.ts';

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
  log?: TransportLog;
}

/** Binds a UDP socket; the one failure thrown is NET_BIND_FAILED (port taken, bad host). */
export async function openUdpTransport(options: UdpTransportOptions = {}): Promise<UdpTransport> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? ignoreTransportLog;
  const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
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
  return new UdpTransport(socket, log);
}

export class UdpTransport implements DatagramTransport {
  readonly localAddress: Address;
  #socket: Socket;
  #handler: DatagramHandler | undefined;
  #closed = false;
  #log: TransportLog;
  /** Parsed destinations, so the hot path does not re-parse `host:port` per datagram. */
  #destinations = new Map<string, { host: string; port: number }>();

  constructor(socket: Socket, log: TransportLog) {
    this.#socket = socket;
    this.#log = log;
    const bound = socket.address();
    this.localAddress = formatAddress(bound.address, bound.port);
    socket.on('message', (message: Buffer, remote: RemoteInfo) => this.#receive(message, remote));
    // Without a listener an 'error' event would crash the process (STYLE 6: log, keep running).
    socket.on('error', (error) => this.#log({ code: 'NET_SOCKET_ERROR', message: `udp ${this.localAddress}: ${error.message}` }));
  }

  /** SO_RCVBUF / SO_SNDBUF as the kernel reports them (Linux reports double what was set). */
  bufferSizes(): { receiveBytes: number; sendBytes: number } {
    return { receiveBytes: this.#socket.getRecvBufferSize(), sendBytes: this.#socket.getSendBufferSize() };
  }

  send(bytes: Uint8Array, to: Address): void {
    if (this.#closed) {
      this.#log({ code: 'NET_SEND_AFTER_CLOSE', message: `udp ${this.localAddress}: send to ${to} after close` });
      return;
    }
    if (bytes.length > netDatagramBytesMax) {
      this.#log({ code: 'NET_DATAGRAM_TOO_LARGE', message: `udp ${this.localAddress}: ${bytes.length} bytes exceed ${netDatagramBytesMax}` });
      return;
    }
    const destination = this.#destination(to);
    if (destination === undefined) {
      this.#log({ code: 'NET_BAD_ADDRESS', message: `udp ${this.localAddress}: bad destination ${JSON.stringify(to)}` });
      return;
    }
    try {
      // No callback: a failed send surfaces as an 'error' event, logged above; a callback per
      // datagram costs measurable throughput.
      this.#socket.send(bytes, destination.port, destination.host);
    } catch (error) {
      this.#log({ code: 'NET_SEND_FAILED', message: `udp ${this.localAddress}: send to ${to}: ${String(error)}` });
    }
  }

  onDatagram(handler: DatagramHandler): void {
    this.#handler = handler;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#handler = undefined;
    await new Promise<void>((resolve) => this.#socket.close(() => resolve()));
  }

  #receive(message: Buffer, remote: RemoteInfo): void {
    if (this.#closed || this.#handler === undefined) return;
    // A plain Uint8Array view: Buffer#slice does not copy, which surprises code that expects it to.
    this.#handler(new Uint8Array(message.buffer, message.byteOffset, message.byteLength), formatAddress(remote.address, remote.port));
  }

  #destination(to: string): { host: string; port: number } | undefined {
    let destination = this.#destinations.get(to);
    if (destination === undefined) {
      destination = parseAddress(to);
      if (destination === undefined || destination.port === 0) return undefined;
      if (this.#destinations.size >= 4096) this.#destinations.clear();
      this.#destinations.set(to, destination);
    }
    return destination;
  }
}
