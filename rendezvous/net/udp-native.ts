import type { Socket } from 'node:dgram';
import { constants } from 'node:os';
import { netReceiveBatchMessages, netReceiveSlotBytes, netSendBatchDatagramsMax } from '../constants.ts';
import type { NativeReceiver, UdpNative } from './native.ts';
import type { Address, TransportLog } from './transport.ts';

/**
 * The batched path of UdpTransport over the native addon (native.ts), on the descriptor of the
 * socket node:dgram bound, so the port, the buffers, TTL sends and close() stay node:dgram's.
 *
 * Send: plain sends queue until the end of the event-loop turn (setImmediate) and leave with one
 * sendmmsg; equal-sized datagrams to one peer go as one UDP GSO message the kernel splits (the
 * wire is unchanged). While libuv's own send queue is not empty, or when the kernel's buffer is
 * full (EAGAIN), datagrams go through node:dgram instead, so order is kept.
 * Receive: node:dgram stops reading; the addon reads batches with recvmmsg (UDP GRO coalesces
 * a peer's datagrams) and calls back once per batch.
 * Why: one sendmsg and one recvmsg per 1200-byte datagram were most of each side's CPU time
 * (docs/DECISIONS.md "Socket layer", docs/BENCHMARKS.md "Transport").
 */
export type NativeDestination = { host: string; port: number; sockaddr: Uint8Array };
export type Acceleration = { send: boolean; gso: boolean; receive: boolean; gro: boolean };
type DeliverDatagram = (bytes: Uint8Array, from: Address) => void;

const errno = constants.errno;
/** sendmsg errors that mean "this kernel or device cannot do UDP GSO here". */
const gsoRefusals = new Set([errno.EIO, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMSGSIZE, errno.ENOPROTOOPT]);

export class NativeUdpPath {
  readonly acceleration: Acceleration = { send: true, gso: true, receive: false, gro: false };
  #native: UdpNative;
  #socket: Socket;
  #fd: number;
  #log: TransportLog;
  #label: string;
  #bytes: Uint8Array[] = [];
  #sockaddrs: Uint8Array[] = [];
  #to: Address[] = [];
  #hosts: NativeDestination[] = [];
  #flushScheduled = false;
  #receiver: NativeReceiver | undefined;

  private constructor(native: UdpNative, socket: Socket, fd: number, log: TransportLog, label: string) {
    this.#native = native;
    this.#socket = socket;
    this.#fd = fd;
    this.#log = log;
    this.#label = label;
  }

  /** Undefined when the socket's descriptor cannot be found and checked: then node:dgram alone. */
  static attach(native: UdpNative, socket: Socket, log: TransportLog, label: string): NativeUdpPath | undefined {
    const handle = dgramHandle(socket);
    if (handle === undefined || native.localPort(handle.fd) !== socket.address().port) return undefined;
    return new NativeUdpPath(native, socket, handle.fd, log, label);
  }

  /** Takes reading over from node:dgram; false (and node:dgram keeps reading) when it cannot. */
  startReceiving(deliver: DeliverDatagram, isOpen: () => boolean): boolean {
    const handle = dgramHandle(this.#socket);
    if (handle === undefined) return false;
    const slab = new Uint8Array(netReceiveSlotBytes * netReceiveBatchMessages);
    const lengths = new Int32Array(netReceiveBatchMessages);
    const segments = new Int32Array(netReceiveBatchMessages);
    const onBatch = (count: number, addresses: string[] | undefined): void => {
      if (count < 0 || addresses === undefined) return this.#log({ code: 'NET_SOCKET_ERROR', message: `udp ${this.#label}: recvmmsg failed, errno ${-count}` });
      for (let message = 0; message < count && isOpen(); message++) {
        const length = lengths[message]!;
        const segment = segments[message]!;
        const from = addresses[message] as Address;
        // One copy per message: the slab is read into again, and a handler may keep what it got.
        const start = message * netReceiveSlotBytes;
        const bytes = slab.slice(start, start + length);
        if (segment <= 0 || segment >= length) deliver(bytes, from);
        else for (let at = 0; at < length && isOpen(); at += segment) deliver(bytes.subarray(at, Math.min(at + segment, length)), from);
      }
    };
    this.acceleration.gro = this.#native.enableGro(this.#fd) === 0;
    handle.recvStop();
    try {
      this.#receiver = this.#native.startReceive(this.#fd, slab, netReceiveSlotBytes, lengths, segments, onBatch);
    } catch (error) {
      handle.recvStart();
      this.#log({ code: 'NET_NATIVE_FALLBACK', message: `udp ${this.#label}: native receive unavailable (${String(error)}); node:dgram reads` });
      this.acceleration.gro = false;
      return false;
    }
    this.acceleration.receive = true;
    return true;
  }

  /** Parsed destination plus its sockaddr; undefined for a host that is not an IP literal. */
  destination(host: string, port: number): NativeDestination | undefined {
    const sockaddr = this.#native.sockaddr(host, port);
    return sockaddr === undefined ? undefined : { host, port, sockaddr };
  }

  queue(bytes: Uint8Array, to: Address, destination: NativeDestination): void {
    this.#bytes.push(bytes);
    this.#sockaddrs.push(destination.sockaddr);
    this.#to.push(to);
    this.#hosts.push(destination);
    if (this.#bytes.length >= netSendBatchDatagramsMax) this.flush();
    else if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Sends everything queued now (also before a TTL send and before close, to keep order). */
  flush(): void {
    this.#flushScheduled = false;
    const count = this.#bytes.length;
    if (count === 0) return;
    let start = 0;
    while (start < count && this.#socket.getSendQueueCount() === 0) {
      const batch = Math.min(count - start, netSendBatchDatagramsMax);
      const sent = this.#native.sendBatch(this.#fd, this.#bytes, this.#sockaddrs, start, batch, this.acceleration.gso);
      if (sent > 0) start += sent;
      else if (sent === -errno.EAGAIN || sent === 0) break; // the kernel's buffer is full: libuv queues the rest
      else if (this.acceleration.gso && gsoRefusals.has(-sent) && this.#native.sendBatch(this.#fd, this.#bytes, this.#sockaddrs, start, 1, false) === 1) {
        this.acceleration.gso = false;
        this.#log({ code: 'NET_NATIVE_FALLBACK', message: `udp ${this.#label}: UDP GSO refused (errno ${-sent}); sending datagrams one per message` });
        start += 1;
      } else {
        this.#log({ code: 'NET_SEND_FAILED', message: `udp ${this.#label}: send to ${this.#to[start]}: errno ${-sent}` });
        start += 1;
      }
    }
    for (; start < count; start++) {
      const destination = this.#hosts[start]!;
      this.#socket.send(this.#bytes[start]!, destination.port, destination.host);
    }
    this.#bytes = [];
    this.#sockaddrs = [];
    this.#to = [];
    this.#hosts = [];
  }

  /** Before the socket closes: what is queued leaves, the addon lets go of the descriptor. */
  stop(): void {
    this.flush();
    if (this.#receiver !== undefined) this.#native.stopReceive(this.#receiver);
    this.#receiver = undefined;
  }
}

type DgramHandle = { fd: number; recvStop(): number; recvStart(): number };

/**
 * node:dgram keeps its libuv handle in an internal state object (`socket[kStateSymbol].handle`;
 * the public `_handle` getter is deprecated and warns). Found by shape, then the descriptor is
 * checked with getsockname against the bound port before it is used.
 */
function dgramHandle(socket: Socket): DgramHandle | undefined {
  for (const symbol of Object.getOwnPropertySymbols(socket)) {
    const state = (socket as unknown as Record<symbol, unknown>)[symbol] as { handle?: Partial<DgramHandle> } | undefined;
    const handle = state?.handle;
    if (handle !== undefined && handle !== null && typeof handle.fd === 'number' && handle.fd >= 0 && typeof handle.recvStop === 'function' && typeof handle.recvStart === 'function') return handle as DgramHandle;
  }
  return undefined;
}
