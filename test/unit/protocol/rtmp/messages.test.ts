import { describe, expect, it } from 'vitest';
import {
  abortMessage, acknowledgementMessage, commandMessage, parseCommand, parsePeerBandwidth, parseUserControl, pingRequestMessage,
  pingResponseMessage, readU32Payload, setChunkSizeMessage, setPeerBandwidthMessage, userControlMessage, windowAckSizeMessage,
  MessageType,
} from '../../../../src/main/protocol/rtmp/messages';
import { ChunkWriter } from '../../../../src/main/protocol/rtmp/chunk-writer';
import { ProtocolError } from '../../../../src/shared/errors';
import { fixture, toHex } from './helpers';

describe('protocol control and user control messages (5.4, 6.2), byte-exact on the wire', () => {
  const wire = (m: ReturnType<typeof setChunkSizeMessage>): string => toHex(new ChunkWriter().write(m));
  it.each([
    ['Set Chunk Size 4096', setChunkSizeMessage(4096), '02000000000004010000000000001000'],
    ['Abort csid 4', abortMessage(4), '02000000000004020000000000000004'],
    ['Acknowledgement', acknowledgementMessage(0x12345678), '02000000000004030000000012345678'],
    ['Window Ack Size 2500000', windowAckSizeMessage(2500000), '020000000000040500000000002625a0'],
    ['Set Peer Bandwidth dynamic', setPeerBandwidthMessage(2500000, 2), '020000000000050600000000' + '002625a002'],
    ['PingRequest', pingRequestMessage(1000), '02000000000006040000000000060000' + '03e8'],
    ['PingResponse', pingResponseMessage(1000), '02000000000006040000000000070000' + '03e8'],
    ['SetBufferLength', userControlMessage(3, 1, 3000), '0200000000000a04000000000003000000010000' + '0bb8'],
  ])('%s', (_n, m, bytes) => {
    expect(wire(m)).toBe(bytes);
  });
  it('parses them back', () => {
    expect(readU32Payload(setChunkSizeMessage(4096))).toBe(4096);
    expect(parsePeerBandwidth(setPeerBandwidthMessage(5, 1))).toEqual({ size: 5, limitType: 1 });
    expect(parseUserControl(pingRequestMessage(9))).toEqual({ event: 6, value: 9 });
    expect(parseUserControl(userControlMessage(3, 1, 3000))).toEqual({ event: 3, value: 1, extra: 3000 });
    expect(() => parseUserControl({ ...pingRequestMessage(1), payload: new Uint8Array(3) })).toThrow(ProtocolError);
    expect(() => setChunkSizeMessage(0)).toThrow(ProtocolError);
  });
});

describe('command messages (7.2)', () => {
  it('encodes the connect fixture as a type 20 message on csid 3', () => {
    const m = commandMessage('connect', 1, { app: 'live', type: 'nonprivate', tcUrl: 'rtmp://localhost/live' });
    expect(m).toMatchObject({ csid: 3, typeId: MessageType.CommandAmf0, streamId: 0 });
    expect(toHex(m.payload)).toBe(toHex(fixture('amf0-connect.hex')));
    expect(parseCommand(m)).toEqual({ name: 'connect', transactionId: 1, commandObject: { app: 'live', type: 'nonprivate', tcUrl: 'rtmp://localhost/live' }, args: [] });
  });
  it('reads AMF3 command messages (type 17) that carry AMF0 values', () => {
    const m = commandMessage('_result', 2, null, [1]);
    const amf3 = { ...m, typeId: MessageType.CommandAmf3, payload: new Uint8Array([0, ...m.payload]) };
    expect(parseCommand(amf3)).toEqual({ name: '_result', transactionId: 2, commandObject: null, args: [1] });
  });
  it('rejects an AMF3 object and a nameless command', () => {
    expect(() => parseCommand({ csid: 3, timestamp: 0, typeId: 20, streamId: 0, payload: fixture('amf0-result-amf3_invalid.hex') })).toThrow(/AMF3/);
    expect(() => parseCommand({ csid: 3, timestamp: 0, typeId: 20, streamId: 0, payload: new Uint8Array([5]) })).toThrow(ProtocolError);
    expect(() => parseCommand({ csid: 3, timestamp: 0, typeId: 17, streamId: 0, payload: new Uint8Array([]) })).toThrow(ProtocolError);
  });
});
