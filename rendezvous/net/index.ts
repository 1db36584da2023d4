/** Public API of rendezvous/net/: the datagram transport interface and its two implementations. */
export type { Address, DatagramHandler, DatagramTransport, SendOptions, TransportLog } from './transport.ts';
export { formatAddress, ignoreTransportLog, isAddress, parseAddress } from './transport.ts';
export type { LinkEndpoint, LinkSettings, MemoryNetworkStats, Packet, PacketHook } from './memory.ts';
export { MemoryNetwork, MemoryTransport, perfectLink, runVirtual } from './memory.ts';
export type { UdpTransportOptions } from './udp.ts';
export type { Acceleration } from './udp-native.ts';
export { openUdpTransport, UdpTransport } from './udp.ts';
