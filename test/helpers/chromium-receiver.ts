// Chromium as a WHIP receiver, for integration tests and bench/compare: a harness WHIP endpoint
// (node:http on 127.0.0.1, only our WhipOutput talks to it) answered by an RTCPeerConnection in a
// page of a Chromium that runs in a network namespace of ours (launchChromiumInNetns: its page is
// served on the veth's hostAddr, its only ICE candidate is nsAddr, so media goes over the veth,
// never eth0).
//
// Frames are counted as Chromium's decoder hands them out, one by one: a MediaStreamTrackProcessor
// (mediacapture-transform) reads every VideoFrame the remote track delivers — the frames behind
// inbound-rtp `framesDecoded`, after the jitter buffer — copies the strip rows of its luma plane
// (VideoFrame.copyTo with a rect; strip.ts) and records the frame number with
// performance.timeOrigin + performance.now() as its arrival. Node drains the records every poll.
// (A <video> + requestVideoFrameCallback reader sees only the frames the compositor presents: on a
// software-rendered headless Chromium that misses 10–20 % with no loss at all, and most of a burst
// of frames released together after a retransmission; `render: true` adds that count, `presented`.)
//
// Relay mode: the answer's candidates are replaced by ONE host candidate, the UDP relay's public
// port, and the offer reaches Chromium without candidates, so both sides see only the relay
// (Chromium learns werift's relayed address as a peer-reflexive candidate). The relay forwards to
// the nsAddr UDP candidate of Chromium's answer, given to `relay.setTarget`.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { pageOn, type ChromiumNetns } from '../peers/chromium';
import { READ_STRIP_JS, STRIP_ROWS, STRIP_WIDTH } from './strip';

const PAGE_SCRIPT = (render: boolean): string => `(() => {
${READ_STRIP_JS}
window.rx = (() => {
  const pc = new RTCPeerConnection();
  const out = [];
  let decoded = 0, bad = 0, presented = 0, lastError = '';
  const readFrames = async (track) => {
    const reader = new MediaStreamTrackProcessor({ track, maxBufferSize: 30 }).readable.getReader();
    let buf = new Uint8Array(0);
    const rect = { x: 0, y: 0, width: ${STRIP_WIDTH}, height: ${STRIP_ROWS} };
    for (;;) {
      const { value: f, done } = await reader.read();
      if (done || !f) return;
      const at = performance.timeOrigin + performance.now();
      decoded++;
      try {
        if (f.codedWidth < ${STRIP_WIDTH} || f.codedHeight < ${STRIP_ROWS} || !f.format) { bad++; continue; }
        const size = f.allocationSize({ rect });
        if (buf.byteLength < size) buf = new Uint8Array(size);
        const layout = await f.copyTo(buf, { rect });
        const seq = readStrip(buf.subarray(layout[0].offset), layout[0].stride, 1);
        if (seq === undefined) bad++; else out.push([seq, at]);
      } catch (e) { bad++; lastError = String(e); }
      finally { f.close(); }
    }
  };
  const present = (track) => {
    const video = document.createElement('video');
    video.muted = true; video.autoplay = true; video.playsInline = true;
    document.body.appendChild(video);
    video.srcObject = new MediaStream([track]);
    void video.play();
    const onFrame = () => { presented++; video.requestVideoFrameCallback(onFrame); };
    video.requestVideoFrameCallback(onFrame);
  };
  pc.ontrack = (e) => {
    if (e.track.kind !== 'video') return;
    void readFrames(e.track);
    if (${render}) present(e.track.clone());
  };
  return {
    async answer(offer) {
      await pc.setRemoteDescription({ type: 'offer', sdp: offer });
      await pc.setLocalDescription(await pc.createAnswer());
      if (pc.iceGatheringState !== 'complete') {
        await new Promise((r) => { const t = setTimeout(r, 3000); pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') { clearTimeout(t); r(); } }); });
      }
      return pc.localDescription.sdp;
    },
    drain() { return out.splice(0); },
    now() { return performance.timeOrigin + performance.now(); },
    async stats() {
      let v = {};
      const all = await pc.getStats();
      all.forEach((s) => {
        if (s.type !== 'inbound-rtp' || s.kind !== 'video') return;
        v = {};
        for (const k of ${JSON.stringify(INBOUND_FIELDS)}) if (typeof s[k] === 'number') v[k] = s[k];
      });
      const pairs = [];
      all.forEach((s) => { if (s.type === 'candidate-pair' && s.state === 'succeeded') { const l = all.get(s.localCandidateId), r = all.get(s.remoteCandidateId); pairs.push((l ? l.candidateType + ' ' + (l.address || '?') : '?') + ' <- ' + (r ? r.candidateType + ' ' + (r.address || '(redacted)') : '?')); } });
      return { inbound: v, decoded, bad, presented, lastError, state: pc.connectionState, pairs };
    },
    close() { pc.close(); },
  };
})();
})()`;

/** inbound-rtp (video) members copied from Chromium's getStats() (W3C webrtc-stats §6.3). */
const INBOUND_FIELDS = [
  'framesReceived', 'framesDecoded', 'keyFramesDecoded', 'framesDropped', 'framesRendered', 'framesPerSecond',
  'frameWidth', 'frameHeight', 'packetsReceived', 'packetsLost', 'bytesReceived', 'nackCount', 'pliCount', 'firCount',
  'jitter', 'jitterBufferDelay', 'jitterBufferTargetDelay', 'jitterBufferMinimumDelay', 'jitterBufferEmittedCount',
  'freezeCount', 'totalFreezesDuration', 'pauseCount', 'totalPausesDuration', 'totalInterFrameDelay',
  'totalSquaredInterFrameDelay', 'retransmittedPacketsReceived', 'retransmittedBytesReceived', 'rtxSsrc',
  'fecPacketsReceived', 'fecPacketsDiscarded', 'fecBytesReceived', 'fecSsrc', 'totalDecodeTime', 'totalAssemblyTime',
  'framesAssembledFromMultiplePackets', 'totalProcessingDelay',
] as const;

export type InboundVideo = Partial<Record<(typeof INBOUND_FIELDS)[number], number>>;

export interface ChromiumRxStats {
  inbound: InboundVideo;
  /** VideoFrames the track delivered (MediaStreamTrackProcessor), and those whose strip did not read. */
  decoded: number;
  bad: number;
  /** requestVideoFrameCallback callbacks (`render: true` only). */
  presented: number;
  lastError: string;
  state: string;
  /**
   * Succeeded ICE candidate pairs, `<type> <chromium addr> <- <type> <remote addr>`: `host nsAddr <-
   * host hostAddr` direct; through the relay `prflx 127.0.0.1 <- prflx (redacted)` (Chromium's
   * local prflx address is the relay's public 127.0.0.1 port, learned from werift's
   * XOR-MAPPED-ADDRESS; its socket is still on nsAddr; remote prflx addresses are not exposed).
   */
  pairs: string[];
}

export interface Arrival {
  seq: number;
  atUs: number;
}

export interface RelayHook {
  /** Public relay port (what werift is told to send to). */
  port: number;
  /** Called with Chromium's own (nsAddr) UDP candidate once the answer is known. */
  setTarget(t: { host: string; port: number }): void;
}

export interface ReceiverOptions {
  relay?: RelayHook;
  /** Rewrites the offer before Chromium sees it (e.g. withoutTransportCc). */
  mungeOffer?: (sdp: string) => string;
  /** Rewrites Chromium's answer before the publisher gets it. */
  mungeAnswer?: (sdp: string) => string;
  /** Also play the track in a <video> and count presented frames. */
  render?: boolean;
}

const nowUs = (): number => Math.round((performance.timeOrigin + performance.now()) * 1000);

export function stripCandidates(sdp: string): string {
  return sdp.split(/\r?\n/).filter((l) => !l.startsWith('a=candidate:') && !l.startsWith('a=end-of-candidates')).join('\r\n');
}

/** The offer without transport-wide CC (its extmap and rtcp-fb lines): the receiver answers without it. */
export function withoutTransportCc(sdp: string): string {
  return sdp
    .split(/\r?\n/)
    .filter((l) => !/^a=extmap:\d+\S* http:\/\/www\.ietf\.org\/id\/draft-holmer-rmcat-transport-wide-cc-extensions-01/.test(l) && !/^a=rtcp-fb:\S+ transport-cc/.test(l))
    .join('\r\n');
}

/** Chromium's UDP host candidate (component 1) on `addr`. */
function hostCandidate(sdp: string, addr: string): { host: string; port: number } | undefined {
  for (const m of sdp.matchAll(/a=candidate:\S+ 1 udp \d+ (\S+) (\d+) typ host/gi)) if (m[1] === addr) return { host: addr, port: Number(m[2]) };
  return undefined;
}

/** Put `port` on 127.0.0.1 as the only candidate of every m-section. */
function relayCandidates(sdp: string, port: number): string {
  const out: string[] = [];
  for (const l of stripCandidates(sdp).split('\r\n')) {
    out.push(l);
    if (l.startsWith('m=')) out.push(`a=candidate:1 1 udp 2130706431 127.0.0.1 ${port} typ host`, 'a=end-of-candidates');
  }
  return out.join('\r\n');
}

export class ChromiumReceiver {
  readonly arrivals: Arrival[] = [];
  /** page clock − node clock, µs (measured at open: round-trip midpoint of the best of 15). */
  clockOffsetUs = 0;
  clockRttUs = 0;
  /** The offer as the publisher sent it, and the answer it got back. */
  offer = '';
  answer = '';
  url = '';
  private close_: (() => Promise<void>) | undefined;

  private constructor(private readonly page: Page) {}

  /** `browser` must be a launchChromiumInNetns() one, `netns` its namespace. */
  static async open(browser: Browser, netns: ChromiumNetns, opts: ReceiverOptions = {}): Promise<ChromiumReceiver> {
    const sp = await pageOn(browser, netns.hostAddr);
    const rx = new ChromiumReceiver(sp.page);
    await sp.page.evaluate(PAGE_SCRIPT(opts.render === true));
    let best = Infinity;
    for (let i = 0; i < 15; i++) {
      const t0 = nowUs();
      const p = Number(await sp.page.evaluate('window.rx.now()')) * 1000;
      const t1 = nowUs();
      if (t1 - t0 < best) {
        best = t1 - t0;
        rx.clockOffsetUs = p - (t0 + t1) / 2;
        rx.clockRttUs = t1 - t0;
      }
    }
    const relay = opts.relay;
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (req.method === 'DELETE') return void res.writeHead(200).end();
        if (req.method !== 'POST') return void res.writeHead(405).end();
        rx.offer = body;
        let offer = relay ? stripCandidates(body) : body;
        if (opts.mungeOffer) offer = opts.mungeOffer(offer);
        sp.page.evaluate(`window.rx.answer(${JSON.stringify(offer)})`).then(
          (answer) => {
            let a = String(answer);
            if (relay) {
              const c = hostCandidate(a, netns.nsAddr);
              if (c) relay.setTarget(c);
              a = relayCandidates(a, relay.port);
            }
            if (opts.mungeAnswer) a = opts.mungeAnswer(a);
            rx.answer = a;
            res.writeHead(201, { 'Content-Type': 'application/sdp', Location: '/resource/1' });
            res.end(a);
          },
          () => res.writeHead(500).end(),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    rx.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/whip`;
    rx.close_ = async () => {
      await sp.page.evaluate('window.rx.close()').catch(() => undefined);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await sp.close();
    };
    return rx;
  }

  /** Move the page's records here (page clock → node clock). */
  async poll(): Promise<void> {
    const rows = (await this.page.evaluate('window.rx.drain()').catch(() => [])) as [number, number][];
    for (const [seq, at] of rows) this.arrivals.push({ seq, atUs: Math.round(at * 1000 - this.clockOffsetUs) });
  }

  stats(): Promise<ChromiumRxStats> {
    return this.page.evaluate('window.rx.stats()') as Promise<ChromiumRxStats>;
  }

  async close(): Promise<void> {
    const c = this.close_;
    this.close_ = undefined;
    if (c) await c();
  }
}
