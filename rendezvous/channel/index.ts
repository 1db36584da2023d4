/** Public API of rendezvous/channel/: the reliable ordered message channel and its shell. */
export type { ChannelEffect, ChannelEvent, ChannelStats, RefusalCode } from './channel.ts';
export { Channel, stepChannel } from './channel.ts';
export type { ChannelConfig, ChannelOptions } from './config.ts';
export { channelConfig } from './config.ts';
export type { ChannelDriverOptions, ChannelLogHandler } from './driver.ts';
export { ChannelDriver, connectChannel } from './driver.ts';
export type { AckFrame, DataFrame, DatagramFrame, FrameDecodeResult, Frame, PingFrame, SeqRange } from './frames.ts';
export { decodeFrames, encodeFrames } from './frames.ts';
