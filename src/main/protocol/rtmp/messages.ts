// RTMP messages. Spec: Adobe RTMP Specification 1.0 (December 2012): 5.4 protocol control
// messages (Set Chunk Size 5.4.1, Abort 5.4.2, Acknowledgement 5.4.3, Window Acknowledgement Size
// 5.4.4, Set Peer Bandwidth 5.4.5), 6.2 User Control messages (7.1.7 events: StreamBegin ..
// PingRequest 6, PingResponse 7), 7.1 message types (command 20/17, data 18/15, audio 8,
// video 9, aggregate 22) and 7.2 command messages (name, transaction id, command object, args).
import { ProtocolError } from '../../../shared/errors';
import { decodeAmf0, encodeAmf0, type Amf0Object, type Amf0Value } from '../amf0/amf0';
import { ByteReader, ByteWriter } from '../amf0/bytes';

export interface RtmpMessage {
  /** Chunk stream id the message travels on (5.3.1.1). */
  csid: number;
  /** 32-bit milliseconds. */
  timestamp: number;
  typeId: number;
  /** Message stream id (0 for NetConnection traffic). */
  streamId: number;
  payload: Uint8Array;
}

export const MessageType = {
  SetChunkSize: 1,
  Abort: 2,
  Acknowledgement: 3,
  UserControl: 4,
  WindowAckSize: 5,
  SetPeerBandwidth: 6,
  Audio: 8,
  Video: 9,
  DataAmf3: 15,
  SharedObjectAmf3: 16,
  CommandAmf3: 17,
  DataAmf0: 18,
  SharedObjectAmf0: 19,
  CommandAmf0: 20,
  Aggregate: 22,
} as const;

export const UserControlEvent = {
  StreamBegin: 0,
  StreamEof: 1,
  StreamDry: 2,
  SetBufferLength: 3,
  StreamIsRecorded: 4,
  PingRequest: 6,
  PingResponse: 7,
} as const;

/** Chunk stream ids this client uses (2 is reserved for protocol control, 5.4). */
export const Csid = { Control: 2, Command: 3, Audio: 4, Data: 5, Video: 6, Stream: 8 } as const;

/** Set Peer Bandwidth limit types (5.4.5). */
export const LimitType = { Hard: 0, Soft: 1, Dynamic: 2 } as const;

const control = (typeId: number, payload: Uint8Array): RtmpMessage => ({ csid: Csid.Control, timestamp: 0, typeId, streamId: 0, payload });
const u32Payload = (v: number): Uint8Array => new ByteWriter(4).u32(v).finish();

export function setChunkSizeMessage(size: number): RtmpMessage {
  if (!Number.isInteger(size) || size < 1 || size > 0x7fffffff) throw new ProtocolError(`invalid chunk size ${size}`);
  return control(MessageType.SetChunkSize, u32Payload(size));
}
export const abortMessage = (csid: number): RtmpMessage => control(MessageType.Abort, u32Payload(csid));
export const acknowledgementMessage = (sequence: number): RtmpMessage => control(MessageType.Acknowledgement, u32Payload(sequence));
export const windowAckSizeMessage = (size: number): RtmpMessage => control(MessageType.WindowAckSize, u32Payload(size));
export const setPeerBandwidthMessage = (size: number, limitType: number): RtmpMessage =>
  control(MessageType.SetPeerBandwidth, new ByteWriter(5).u32(size).u8(limitType).finish());

export function userControlMessage(event: number, value: number, extra?: number): RtmpMessage {
  const w = new ByteWriter(10).u16(event).u32(value);
  if (extra !== undefined) w.u32(extra);
  return control(MessageType.UserControl, w.finish());
}
export const pingRequestMessage = (timestamp: number): RtmpMessage => userControlMessage(UserControlEvent.PingRequest, timestamp);
export const pingResponseMessage = (timestamp: number): RtmpMessage => userControlMessage(UserControlEvent.PingResponse, timestamp);

/** The 4-byte big-endian value of Set Chunk Size / Abort / Ack / Window Ack Size. */
export function readU32Payload(msg: RtmpMessage): number {
  return new ByteReader(msg.payload, 'protocol control message').u32();
}

export interface PeerBandwidth {
  size: number;
  limitType: number;
}
export function parsePeerBandwidth(msg: RtmpMessage): PeerBandwidth {
  const r = new ByteReader(msg.payload, 'Set Peer Bandwidth');
  return { size: r.u32(), limitType: r.u8() };
}

export interface UserControl {
  event: number;
  /** Stream id for stream events, timestamp for pings. */
  value: number;
  /** Buffer length in ms for SetBufferLength. */
  extra?: number;
}
export function parseUserControl(msg: RtmpMessage): UserControl {
  const r = new ByteReader(msg.payload, 'User Control message');
  const event = r.u16();
  const value = r.u32();
  if (event === UserControlEvent.SetBufferLength) return { event, value, extra: r.u32() };
  return { event, value };
}

// ---------------------------------------------------------------------------------------------
// Command messages (7.2)

export interface Command {
  name: string;
  transactionId: number;
  commandObject: Amf0Value;
  args: Amf0Value[];
}

export function commandMessage(
  name: string,
  transactionId: number,
  commandObject: Amf0Object | null,
  args: readonly Amf0Value[] = [],
  opts: { csid?: number; streamId?: number } = {},
): RtmpMessage {
  return {
    csid: opts.csid ?? Csid.Command,
    timestamp: 0,
    typeId: MessageType.CommandAmf0,
    streamId: opts.streamId ?? 0,
    payload: encodeAmf0(name, transactionId, commandObject, ...args),
  };
}

/** AMF3 command/data messages (17/15) start with one format byte, then AMF0 values (7.1.1). */
export function amfBody(msg: RtmpMessage): Uint8Array {
  if (msg.typeId === MessageType.CommandAmf3 || msg.typeId === MessageType.DataAmf3) {
    if (msg.payload.length === 0) throw new ProtocolError('empty AMF3 command message');
    return msg.payload.subarray(1);
  }
  return msg.payload;
}

export function parseCommand(msg: RtmpMessage): Command {
  const values = decodeAmf0(amfBody(msg));
  const [name, txid, obj, ...args] = values;
  if (typeof name !== 'string') throw new ProtocolError('command message without a command name');
  return { name, transactionId: typeof txid === 'number' ? txid : 0, commandObject: obj ?? null, args };
}

export function dataMessage(payload: Uint8Array, streamId: number, timestamp = 0): RtmpMessage {
  return { csid: Csid.Data, timestamp, typeId: MessageType.DataAmf0, streamId, payload };
}
/** A message whose payload is one buffer, or parts to be sent back to back (chunk-writer.ts). */
type WithPayload<P> = Omit<RtmpMessage, 'payload'> & { payload: P };

export function audioMessage<P extends Uint8Array | readonly Uint8Array[]>(payload: P, streamId: number, timestamp: number): WithPayload<P> {
  return { csid: Csid.Audio, timestamp, typeId: MessageType.Audio, streamId, payload };
}
export function videoMessage<P extends Uint8Array | readonly Uint8Array[]>(payload: P, streamId: number, timestamp: number): WithPayload<P> {
  return { csid: Csid.Video, timestamp, typeId: MessageType.Video, streamId, payload };
}
