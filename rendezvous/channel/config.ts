import {
  channelAckDelayMaxMs,
  channelAckEveryDatagrams,
  channelAckRangesMax,
  channelAckReserveBytes,
  channelDatagramPayloadBytesDefault,
  channelDatagramPayloadBytesMin,
  channelMessageBytesMax,
  channelMessageOverheadBytes,
  channelReceiveWindowMessages,
  channelRtoMinMs,
  channelSendQueueBytesMax,
  channelUnreliableQueueMax,
  netDatagramBytesMax,
} from '../constants.ts';
import { RendezvousError } from '../errors.ts';
import { DATA_HEADER_BYTES_MAX } from './frames.ts';
import { varintSize } from './varint.ts';

/** What a caller may tune; everything else is a constant in rendezvous/constants.ts. */
export interface ChannelOptions {
  /** Largest plaintext the session carries per datagram; both peers must use the same value. */
  datagramPayloadBytes?: number;
  messageBytesMax?: number;
  /** Bytes accepted by send() and not yet acknowledged; beyond it send() reports CHANNEL_QUEUE_FULL. */
  sendQueueBytesMax?: number;
  /** Fragments the receiver buffers beyond what the application has read. */
  receiveWindowFragments?: number;
  unreliableQueueMax?: number;
  ackEveryDatagrams?: number;
  ackDelayMaxMs?: number;
}

export interface ChannelConfig extends Required<ChannelOptions> {
  /** Payload of a full-size fragment: the datagram minus an ACK's reserved room and a DATA header. */
  fragmentPayloadBytes: number;
  /** Fragments of the largest message; a message with more is a protocol violation. */
  fragmentsPerMessageMax: number;
  /** Largest unreliable datagram: one DATAGRAM frame filling a channel datagram. */
  unreliablePayloadBytesMax: number;
  /** Upper bound of bytes the receiver holds for the peer: its window of fragments, each at most a datagram. */
  receiveBufferBytesMax: number;
}

/** Fills in defaults and checks how the values relate; a bad option is CHANNEL_BAD_CONFIG. */
export function channelConfig(options: ChannelOptions = {}): ChannelConfig {
  const datagramPayloadBytes = options.datagramPayloadBytes ?? channelDatagramPayloadBytesDefault;
  check(Number.isSafeInteger(datagramPayloadBytes) && datagramPayloadBytes >= channelDatagramPayloadBytesMin && datagramPayloadBytes <= netDatagramBytesMax, `datagramPayloadBytes must be an integer in [${channelDatagramPayloadBytesMin}, ${netDatagramBytesMax}]`);
  const messageBytesMax = options.messageBytesMax ?? channelMessageBytesMax;
  check(Number.isSafeInteger(messageBytesMax) && messageBytesMax >= 0 && messageBytesMax < 2 ** 30, 'messageBytesMax must be an integer in [0, 2^30)');
  const fragmentPayloadBytes = datagramPayloadBytes - channelAckReserveBytes - DATA_HEADER_BYTES_MAX;
  const fragmentsPerMessageMax = Math.max(1, Math.ceil(messageBytesMax / fragmentPayloadBytes));
  const receiveWindowFragments = options.receiveWindowFragments ?? channelReceiveWindowMessages * fragmentsPerMessageMax;
  check(Number.isSafeInteger(receiveWindowFragments) && receiveWindowFragments >= fragmentsPerMessageMax, `receiveWindowFragments must hold a full-size message (${fragmentsPerMessageMax} fragments)`);
  const sendQueueBytesMax = options.sendQueueBytesMax ?? channelSendQueueBytesMax;
  check(sendQueueBytesMax >= messageBytesMax + channelMessageOverheadBytes, 'sendQueueBytesMax must accept a full-size message');
  const unreliableQueueMax = options.unreliableQueueMax ?? channelUnreliableQueueMax;
  check(Number.isSafeInteger(unreliableQueueMax) && unreliableQueueMax >= 0, 'unreliableQueueMax must be an integer ≥ 0');
  const ackEveryDatagrams = options.ackEveryDatagrams ?? channelAckEveryDatagrams;
  check(Number.isSafeInteger(ackEveryDatagrams) && ackEveryDatagrams >= 1, 'ackEveryDatagrams must be an integer ≥ 1');
  const ackDelayMaxMs = options.ackDelayMaxMs ?? channelAckDelayMaxMs;
  check(ackDelayMaxMs >= 0 && ackDelayMaxMs < channelRtoMinMs, `ackDelayMaxMs must be in [0, ${channelRtoMinMs})`);
  return {
    datagramPayloadBytes,
    messageBytesMax,
    sendQueueBytesMax,
    receiveWindowFragments,
    unreliableQueueMax,
    ackEveryDatagrams,
    ackDelayMaxMs,
    fragmentPayloadBytes,
    fragmentsPerMessageMax,
    unreliablePayloadBytesMax: datagramPayloadBytes - 1 - varintSize(datagramPayloadBytes),
    receiveBufferBytesMax: receiveWindowFragments * datagramPayloadBytes,
  };
}

/** The ACK ranges limit is a protocol constant, not an option: both directions parse it. */
export const ackRangesMax = channelAckRangesMax;

function check(condition: boolean, message: string): void {
  if (!condition) throw new RendezvousError('CHANNEL_BAD_CONFIG', `channel config: ${message}`);
}
