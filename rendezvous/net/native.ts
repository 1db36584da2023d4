import { createRequire } from 'node:module';

/**
 * The optional native addon rendezvous/native/parley_udp.c (built by `npm ci` through
 * rendezvous/native/build.mjs): batched sendmmsg with UDP GSO, recvmmsg with UDP GRO, on the
 * descriptor of a socket node:dgram bound. Linux only; undefined when it is not built, not
 * Linux, or turned off with PARLEY_UDP_NATIVE=0. Then udp.ts uses node:dgram alone.
 */
export interface UdpNative {
  /** sockaddr_in / sockaddr_in6 bytes for an IP literal; undefined for anything else. */
  sockaddr(host: string, port: number): Uint8Array | undefined;
  /** The port `fd` is bound to, or −errno (also when it is not a datagram socket). */
  localPort(fd: number): number;
  /** Sends datagrams[start, start + count) with one sendmmsg: how many datagrams went, or −errno when none did. */
  sendBatch(fd: number, datagrams: readonly Uint8Array[], sockaddrs: readonly Uint8Array[], start: number, count: number, gso: boolean): number;
  /** Turns on UDP_GRO: 0, or −errno. */
  enableGro(fd: number): number;
  /** Polls a duplicate of `fd`; callback(count, addresses) per batch, or (−errno, undefined). */
  startReceive(fd: number, slab: Uint8Array, slotBytes: number, lengths: Int32Array, segments: Int32Array, callback: (count: number, addresses: string[] | undefined) => void): NativeReceiver;
  stopReceive(receiver: NativeReceiver): void;
}

export type NativeReceiver = { readonly __nativeReceiver: unique symbol };

let loaded: UdpNative | null | undefined;

export function loadUdpNative(): UdpNative | undefined {
  if (loaded === undefined) loaded = tryLoad();
  return loaded ?? undefined;
}

function tryLoad(): UdpNative | null {
  if (process.platform !== 'linux' || process.env.PARLEY_UDP_NATIVE === '0') return null;
  try {
    const addon = createRequire(import.meta.url)('../native/build/Release/parley_udp.node') as Partial<UdpNative>;
    return typeof addon.sendBatch === 'function' && typeof addon.startReceive === 'function' ? (addon as UdpNative) : null;
  } catch {
    return null; // not built (no compiler or headers at install): node:dgram alone
  }
}
