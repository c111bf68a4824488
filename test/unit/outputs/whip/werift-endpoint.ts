// A WHIP endpoint for tests whose answer comes from a werift receiver (node:http on 127.0.0.1).
// It records every request and every received RTP packet, and can send PLI / FIR / NACK back.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  GenericNack,
  RtcpPacketConverter,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RtcpPayloadSpecificFeedback,
  RtcpTransportLayerFeedback,
  type RTCRtpReceiver,
  type RtpPacket,
} from 'werift';
import type { SeenRequest } from './scripted-server';
import { applyRemoteIce, buildSdpFrag, iceParams, parseSdpFrag } from '../../../../src/main/outputs/whip/sdp';

export interface ReceivedRtp {
  kind: 'audio' | 'video';
  at: number;
  packet: RtpPacket;
}

export interface WeriftEndpoint {
  url: string;
  requests: SeenRequest[];
  rtp: ReceivedRtp[];
  offer: () => string;
  answer: () => string;
  connected: () => Promise<void>;
  sendPli: () => void;
  sendFir: () => Promise<void>;
  sendNack: (seqs: number[]) => Promise<void>;
  /**
   * Raw bytes as one SRTCP packet (any content: werift only encrypts what it is given). Each is
   * sent behind an empty RR (RFC 3550 §6.4.2) so that SRTCP has a header and SSRC to work with.
   */
  sendRawRtcp: (bytes: Uint8Array) => Promise<void>;
  /** The video sender's SSRC as received (0 before the first packet). */
  videoSsrc: () => number;
  close: () => Promise<void>;
}

/** PATCH handling: 'restart' answers an ICE restart from the receiver (RFC 9725 §4.3.2). */
export type PatchMode = 'restart' | 'reject' | 'unsupported';

export interface WeriftEndpointOptions {
  token?: string;
  patch?: PatchMode;
  /** Answer no STUN check until an ICE restart PATCH arrived (the first ICE attempt fails). */
  blockIceUntilRestart?: boolean;
  /** Link header for the 201. */
  link?: string;
}

export async function startWeriftEndpoint(opts: WeriftEndpointOptions = {}): Promise<WeriftEndpoint> {
  const requests: SeenRequest[] = [];
  const rtp: ReceivedRtp[] = [];
  let pc: RTCPeerConnection | undefined;
  let offer = '';
  let answer = '';
  let videoReceiver: RTCRtpReceiver | undefined;
  let videoSsrc = 0;
  let firSeq = 1;
  let restarted = false;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() };
      requests.push(seen);
      if (opts.token && req.headers.authorization !== `Bearer ${opts.token}`) {
        res.writeHead(401).end();
        return;
      }
      if (seen.method === 'DELETE') {
        void pc?.close();
        res.writeHead(200).end();
        return;
      }
      if (seen.method === 'PATCH' && opts.patch === 'reject') {
        res.writeHead(400).end();
        return;
      }
      if (seen.method === 'PATCH' && opts.patch === 'restart' && pc) {
        const peer = pc;
        restarted = true;
        void (async () => {
          offer = applyRemoteIce(offer, parseSdpFrag(seen.body));
          await peer.setRemoteDescription({ type: 'offer', sdp: offer });
          await peer.setLocalDescription(await peer.createAnswer());
          answer = peer.localDescription?.sdp ?? '';
          const p = iceParams(answer);
          res.writeHead(200, { 'Content-Type': 'application/trickle-ice-sdpfrag', ETag: `"r${requests.length}"` });
          res.end(buildSdpFrag(answer, p.candidates, true));
        })();
        return;
      }
      if (seen.method !== 'POST') {
        res.writeHead(405).end();
        return;
      }
      void (async () => {
        offer = seen.body;
        pc = new RTCPeerConnection({
          iceServers: [],
          iceFilterStunResponse: () => !opts.blockIceUntilRestart || restarted,
          iceAdditionalHostAddresses: ['127.0.0.1'],
          codecs: {
            audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 })],
            video: [
              new RTCRtpCodecParameters({
                mimeType: 'video/H264',
                clockRate: 90000,
                rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
                parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
              }),
            ],
          },
        });
        pc.onTransceiverAdded.subscribe((t) => {
          t.onTrack.subscribe((track) => {
            track.onReceiveRtp.subscribe((p) => {
              rtp.push({ kind: t.kind === 'video' ? 'video' : 'audio', at: performance.now(), packet: p.clone() });
              if (t.kind === 'video') videoSsrc = p.header.ssrc;
            });
          });
          if (t.kind === 'video') videoReceiver = t.receiver;
        });
        await pc.setRemoteDescription({ type: 'offer', sdp: offer });
        await pc.setLocalDescription(await pc.createAnswer());
        answer = pc.localDescription?.sdp ?? '';
        const headers: Record<string, string> = { 'Content-Type': 'application/sdp', Location: '/whip/resource/1', ETag: '"r1"' };
        if (opts.link) headers.Link = opts.link;
        res.writeHead(201, headers);
        res.end(answer);
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const rtcp = (): NonNullable<RTCRtpReceiver['dtlsTransport']> => {
    if (!videoReceiver) throw new Error('no video receiver yet');
    return videoReceiver.dtlsTransport;
  };
  return {
    url: `http://127.0.0.1:${port}/whip/endpoint/e1`,
    requests,
    rtp,
    offer: () => offer,
    answer: () => answer,
    connected: async () => {
      for (let i = 0; i < 200 && pc?.connectionState !== 'connected'; i++) await new Promise((r) => setTimeout(r, 50));
    },
    sendPli: () => void videoReceiver?.sendRtcpPLI(videoSsrc),
    sendFir: async () => {
      // RFC 5104 §4.3.1.1: PSFB (PT 206) FMT 4, sender SSRC, media SSRC 0, FCI {SSRC, seq nr, 0}.
      const fir = Buffer.alloc(20);
      fir.writeUInt8(0x80 | 4, 0);
      fir.writeUInt8(206, 1);
      fir.writeUInt16BE(4, 2);
      fir.writeUInt32BE(1, 4);
      fir.writeUInt32BE(videoSsrc, 12);
      fir.writeUInt8(firSeq++ & 0xff, 16);
      const packets = RtcpPacketConverter.deSerialize(fir);
      if (!(packets[0] instanceof RtcpPayloadSpecificFeedback)) throw new Error('FIR did not parse');
      await rtcp().sendRtcp(packets);
    },
    sendNack: async (seqs) => {
      await rtcp().sendRtcp([new RtcpTransportLayerFeedback({ feedback: new GenericNack({ senderSsrc: 1, mediaSourceSsrc: videoSsrc, lost: seqs }) })]);
    },
    sendRawRtcp: async (bytes) => {
      const rr = Buffer.from([0x80, 201, 0, 1, 0, 0, 0, 1]);
      await rtcp().sendRtcp([{ serialize: () => Buffer.concat([rr, bytes]) } as unknown as RtcpTransportLayerFeedback]);
    },
    videoSsrc: () => videoSsrc,
    close: async () => {
      await pc?.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
