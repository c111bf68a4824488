/**
 * A reference WHIP publisher: Chromium's own WebRTC stack (fake camera + microphone), with the
 * HTTP side done from Node. Use it to check the WHIP server setup, or to compare with our publisher.
 *
 *   createChromiumWhipPublisher(browser, opts?: { audio?: boolean; videoCodec?: 'H264' | 'VP8' })
 *     : Promise<ChromiumWhipPublisher>
 *       Opens a secure-context page, getUserMedia (fake devices: launch with fakeMedia: true),
 *       sendonly transceivers, codec preference (H.264 42e01f packetization-mode=1 by default),
 *       creates the offer and waits for ICE gathering to complete (no trickle).
 *
 *   interface ChromiumWhipPublisher {
 *     offerSdp: string;
 *     payloadTypes: { video?: {pt, codec}; audio?: {pt, codec} };  // first PT per m= line of the
 *                                       // OFFER: Janus answers with these, so a receiver can be
 *                                       // started BEFORE publishing
 *     publish(endpointUrl: string, opts?: { token?: string }): Promise<WhipPostResult>;
 *       // POST application/sdp; on 201 applies the answer. WhipPostResult =
 *       // { status, location: string | undefined (absolute), answerSdp: string | undefined, body }
 *     waitConnected(timeoutMs?: number): Promise<void>;  // pc.connectionState === 'connected'
 *     outboundStats(): Promise<{ framesEncoded: number; bytesSent: number; packetsSent: number }>;
 *     selectedPair(): Promise<SelectedCandidatePair | undefined>;
 *       // the ICE pair in use (getStats: the transport's selectedCandidatePairId, else the
 *       // nominated 'succeeded' candidate-pair): { state, local: {address, port, candidateType,
 *       // protocol}, remote: {...} }. With Janus in its namespace: local = root-side veth
 *       // address, remote = ns-side veth address.
 *     unpublish(): Promise<number | undefined>;  // DELETE the resource (status), if published
 *     close(): Promise<void>;                    // closes the peer connection and the page
 *   }
 */
import type { Browser } from 'playwright-core';
import { secureOriginPage } from './chromium';
import { payloadTypesFromSdp, type NegotiatedPt } from './rtp-receiver';

export interface WhipPostResult {
  status: number;
  location: string | undefined;
  answerSdp: string | undefined;
  body: string;
}

export interface IceCandidateInfo {
  address: string;
  port: number;
  candidateType: string;
  protocol: string;
}

export interface SelectedCandidatePair {
  state: string;
  local: IceCandidateInfo;
  remote: IceCandidateInfo;
}

export interface ChromiumWhipPublisher {
  readonly offerSdp: string;
  readonly payloadTypes: { video?: NegotiatedPt; audio?: NegotiatedPt };
  publish(endpointUrl: string, opts?: { token?: string }): Promise<WhipPostResult>;
  waitConnected(timeoutMs?: number): Promise<void>;
  outboundStats(): Promise<{ framesEncoded: number; bytesSent: number; packetsSent: number }>;
  selectedPair(): Promise<SelectedCandidatePair | undefined>;
  unpublish(): Promise<number | undefined>;
  close(): Promise<void>;
}

// Minimal shapes of the browser objects used inside page.evaluate (this tsconfig has no DOM lib).
interface BrowserCodec {
  mimeType: string;
  sdpFmtpLine?: string;
}
interface BrowserTrack {
  kind: string;
}
interface BrowserPc {
  connectionState: string;
  iceGatheringState: string;
  localDescription: { sdp: string } | null;
  addTransceiver(
    track: BrowserTrack,
    init: { direction: string; streams: unknown[] },
  ): { setCodecPreferences(codecs: BrowserCodec[]): void };
  createOffer(): Promise<{ type: string; sdp: string }>;
  setLocalDescription(d: { type: string; sdp: string }): Promise<void>;
  setRemoteDescription(d: { type: string; sdp: string }): Promise<void>;
  addEventListener(event: string, cb: () => void): void;
  getStats(): Promise<{ forEach(cb: (s: BrowserStat) => void): void }>;
  close(): void;
}
interface BrowserStat {
  type: string;
  id: string;
  framesEncoded?: number;
  bytesSent?: number;
  packetsSent?: number;
  state?: string;
  nominated?: boolean;
  selectedCandidatePairId?: string;
  localCandidateId?: string;
  remoteCandidateId?: string;
  address?: string;
  ip?: string;
  port?: number;
  candidateType?: string;
  protocol?: string;
}
interface PageApi {
  __tandemPc: BrowserPc;
  navigator: { mediaDevices: { getUserMedia(c: unknown): Promise<{ getTracks(): BrowserTrack[] }> } };
  RTCPeerConnection: new () => BrowserPc;
  RTCRtpSender: { getCapabilities(kind: string): { codecs: BrowserCodec[] } | null };
}

export async function createChromiumWhipPublisher(
  browser: Browser,
  opts: { audio?: boolean; videoCodec?: 'H264' | 'VP8' } = {},
): Promise<ChromiumWhipPublisher> {
  const { page, close: closePage } = await secureOriginPage(browser);
  const offerSdp = await page.evaluate(
    async ({ audio, codec }) => {
      const g = globalThis as unknown as PageApi;
      const stream = await g.navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480, frameRate: 30 }, audio });
      const pc = new g.RTCPeerConnection();
      g.__tandemPc = pc;
      for (const track of stream.getTracks()) {
        const tr = pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
        if (track.kind === 'video') {
          const caps = g.RTCRtpSender.getCapabilities('video')?.codecs ?? [];
          const wanted = caps.filter((c) =>
            codec === 'H264'
              ? c.mimeType === 'video/H264' && /profile-level-id=42e01f/.test(c.sdpFmtpLine ?? '') && /packetization-mode=1/.test(c.sdpFmtpLine ?? '')
              : c.mimeType === 'video/VP8',
          );
          if (wanted.length === 0) throw new Error(`Chromium cannot send ${codec}`);
          tr.setCodecPreferences([...wanted, ...caps.filter((c) => !wanted.includes(c))]);
        }
      }
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      if (pc.iceGatheringState !== 'complete') {
        await new Promise<void>((resolve) => {
          pc.addEventListener('icegatheringstatechange', () => {
            if (pc.iceGatheringState === 'complete') resolve();
          });
          setTimeout(resolve, 5000);
        });
      }
      return pc.localDescription?.sdp ?? '';
    },
    { audio: opts.audio ?? true, codec: opts.videoCodec ?? 'H264' },
  );

  let resourceUrl: string | undefined;
  let auth: Record<string, string> = {};
  let closed = false;

  const api: ChromiumWhipPublisher = {
    offerSdp,
    payloadTypes: payloadTypesFromSdp(offerSdp),
    async publish(endpointUrl, o = {}) {
      auth = o.token === undefined ? {} : { Authorization: `Bearer ${o.token}` };
      const res = await fetch(endpointUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/sdp', ...auth },
        body: offerSdp,
      });
      const body = await res.text();
      const loc = res.headers.get('location');
      const location = loc === null ? undefined : new URL(loc, endpointUrl).toString();
      const answerSdp = res.status === 201 ? body : undefined;
      if (answerSdp !== undefined) {
        resourceUrl = location;
        await page.evaluate(async (sdp) => {
          await (globalThis as unknown as PageApi).__tandemPc.setRemoteDescription({ type: 'answer', sdp });
        }, answerSdp);
      }
      return { status: res.status, location, answerSdp, body };
    },
    async waitConnected(timeoutMs = 15_000) {
      await page.waitForFunction(() => (globalThis as unknown as PageApi).__tandemPc.connectionState === 'connected', undefined, {
        timeout: timeoutMs,
        polling: 100,
      });
    },
    outboundStats: () =>
      page.evaluate(async () => {
        const report = await (globalThis as unknown as PageApi).__tandemPc.getStats();
        let framesEncoded = 0;
        let bytesSent = 0;
        let packetsSent = 0;
        report.forEach((s) => {
          if (s.type !== 'outbound-rtp') return;
          framesEncoded += s.framesEncoded ?? 0;
          bytesSent += s.bytesSent ?? 0;
          packetsSent += s.packetsSent ?? 0;
        });
        return { framesEncoded, bytesSent, packetsSent };
      }),
    selectedPair: () =>
      page.evaluate(async () => {
        const report = await (globalThis as unknown as PageApi).__tandemPc.getStats();
        const byId = new Map<string, BrowserStat>();
        report.forEach((s) => byId.set(s.id, s));
        const stats = [...byId.values()];
        const selectedId = stats.find((s) => s.type === 'transport' && s.selectedCandidatePairId)?.selectedCandidatePairId;
        const pair =
          (selectedId === undefined ? undefined : byId.get(selectedId)) ??
          stats.find((s) => s.type === 'candidate-pair' && s.state === 'succeeded' && s.nominated === true);
        if (!pair) return undefined;
        // (no named inner functions here: a bundler's keepNames helper would not exist in the page)
        const [local, remote] = [pair.localCandidateId, pair.remoteCandidateId].map((id) => {
          const c = id === undefined ? undefined : byId.get(id);
          return { address: c?.address ?? c?.ip ?? '', port: c?.port ?? 0, candidateType: c?.candidateType ?? '', protocol: c?.protocol ?? '' };
        });
        if (!local || !remote) return undefined;
        return { state: pair.state ?? '', local, remote };
      }),
    async unpublish() {
      if (!resourceUrl) return undefined;
      const res = await fetch(resourceUrl, { method: 'DELETE', headers: auth });
      await res.arrayBuffer();
      resourceUrl = undefined;
      return res.status;
    },
    async close() {
      if (closed) return;
      closed = true;
      await page.evaluate(() => (globalThis as unknown as PageApi).__tandemPc.close()).catch(() => undefined);
      await closePage();
    },
  };
  return api;
}
