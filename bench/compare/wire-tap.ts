// The publisher's own share of the latency: encoder packet emitted → bytes handed to the socket
// (RTMP) or the last RTP packet of the frame SRTP-protected and sent (WHIP).
//
// The outputs expose no per-frame timing hook (stats() has queue duration, not per-frame times), so
// the bench wraps three prototype methods for the duration of the run (src/ is not edited):
//   - RtmpClientSession.prototype.sendVideo(ts, tag or its parts): RtmpOutput calls it when it takes a frame
//     off its SendQueue; it chunks the message and calls RtmpSocket.write() → net.Socket.write()
//     synchronously. The time after it returns = frame written to the socket.
//   - WhipPeer.prototype.sendVideo(accessUnit, rtpTs): remembers rtpTs → frame (per peer).
//   - werift RTCRtpSender.prototype.sendRtp(rtp): called by the Pacer for each packet; for the
//     packet with the marker bit (last of the access unit) the time its promise resolves (SRTP
//     protect + UDP send done) = frame written to the wire.
// Frames are matched by a fingerprint: SHA-1 of the access unit's first slice NAL unit (the one
// holding the strip, so unique per frame; x264's zerolatency slices make later slices repeat when
// the noise content repeats), the same whether the NAL units are framed Annex B (encoder, WHIP) or
// AVCC inside the FLV video tag (RTMP).
import { createHash } from 'node:crypto';
import { RTCRtpSender, type RtpPacket } from 'werift';
import { splitAvcc } from '../../src/main/protocol/h264/annexb';
import { RtmpClientSession } from '../../src/main/protocol/rtmp/session';
import { WhipPeer } from '../../src/main/outputs/whip/peer';
import { nowUs } from '../../src/main/encoder/timestamps';

function firstSliceKey(nalus: readonly Uint8Array[]): string {
  const slice = nalus.find((n) => n.length > 0 && ((n[0]! & 0x1f) === 1 || (n[0]! & 0x1f) === 5));
  return slice ? createHash('sha1').update(slice).digest('hex') : '';
}

/** Fingerprint of an access unit (its NAL units: encoder packets, WHIP). */
export function fingerprint(nalus: readonly Uint8Array[]): string {
  return firstSliceKey(nalus);
}

/** Fingerprint of a legacy FLV AVC video tag body (5-byte header, then AVCC NAL units). */
export function fingerprintFlvTag(tag: Uint8Array): string {
  try {
    return firstSliceKey(splitAvcc(tag.subarray(5), 4));
  } catch {
    return '';
  }
}

export interface WireRecord {
  fp: string;
  atUs: number;
}

export class WireTap {
  /** RTMP: one list per session object. */
  readonly rtmp = new Map<object, WireRecord[]>();
  /** WHIP: one list per WhipPeer. */
  readonly whip = new Map<object, WireRecord[]>();
  private readonly rtpToFp = new Map<object, Map<number, string>>();
  private readonly senderToPeer = new WeakMap<object, object>();
  private readonly restore: (() => void)[] = [];

  install(): void {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const tap = this;
    const rtmpProto = RtmpClientSession.prototype;
    const origRtmp = rtmpProto.sendVideo;
    rtmpProto.sendVideo = function (this: RtmpClientSession, ts: number, body: Uint8Array | readonly Uint8Array[]): void {
      origRtmp.call(this, ts, body);
      let list = tap.rtmp.get(this);
      if (!list) tap.rtmp.set(this, (list = []));
      // RtmpOutput hands the tag over as parts (header, then each NAL unit with its length).
      const fp = fingerprintFlvTag(body instanceof Uint8Array ? body : Buffer.concat(body));
      if (fp) list.push({ fp, atUs: nowUs() });
    };
    this.restore.push(() => (rtmpProto.sendVideo = origRtmp));

    const peerProto = WhipPeer.prototype;
    const origPeer = peerProto.sendVideo;
    peerProto.sendVideo = function (this: WhipPeer, au: readonly Uint8Array[], ts: number, captureUs: number): number {
      const sender = (this as unknown as { video: object }).video;
      tap.senderToPeer.set(sender, this);
      let m = tap.rtpToFp.get(this);
      if (!m) tap.rtpToFp.set(this, (m = new Map()));
      m.set(ts >>> 0, fingerprint(au));
      if (m.size > 2000) for (const k of [...m.keys()].slice(0, 1000)) m.delete(k);
      return origPeer.call(this, au, ts, captureUs);
    };
    this.restore.push(() => (peerProto.sendVideo = origPeer));

    const senderProto = RTCRtpSender.prototype;
    const origSend = senderProto.sendRtp;
    senderProto.sendRtp = function (this: RTCRtpSender, rtp: Buffer | RtpPacket): Promise<void> {
      const p = origSend.call(this, rtp);
      const peer = tap.senderToPeer.get(this);
      if (peer && !Buffer.isBuffer(rtp) && rtp.header.marker) {
        const fp = tap.rtpToFp.get(peer)?.get(rtp.header.timestamp >>> 0);
        if (fp) {
          void p.then(() => {
            let list = tap.whip.get(peer);
            if (!list) tap.whip.set(peer, (list = []));
            list.push({ fp, atUs: nowUs() });
          }, () => undefined);
        }
      }
      return p;
    };
    this.restore.push(() => (senderProto.sendRtp = origSend));
  }

  uninstall(): void {
    for (const r of this.restore.splice(0)) r();
  }

  /** Records of the RTMP session(s) created after `known` was taken. */
  clear(): void {
    this.rtmp.clear();
    this.whip.clear();
    this.rtpToFp.clear();
  }
}
