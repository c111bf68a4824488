// Chromium as the WHIP receiver: a harness WHIP endpoint (node:http on 127.0.0.1, only WhipOutput
// talks to it) answered by an RTCPeerConnection in a Chromium page (as in
// test/integration/whip-chromium.test.ts). Chromium runs in a network namespace of ours
// (launchChromiumInNetns): its page is served on the veth's hostAddr and its only ICE candidate is
// nsAddr, so media goes over the veth, never eth0 (Chromium gathers no loopback candidate). The page
// plays the track in a <video>, and on every requestVideoFrameCallback draws the strip rows into a
// canvas (drawImage + getImageData), reads the frame number (strip.ts) and records
// performance.timeOrigin + performance.now() as its arrival. Node drains the records every poll.
//
// Relay mode (impairment runs): the answer's candidates are replaced by ONE host candidate, the UDP
// relay's public port, and the offer reaches Chromium without candidates, so both sides see only
// the relay (Chromium learns werift's relayed address as a peer-reflexive candidate). The relay
// forwards to the 127.0.0.1 UDP candidate of Chromium's answer.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { pageOn, type ChromiumNetns } from '../../test/peers/chromium';
import { READ_STRIP_JS, STRIP_ROWS, STRIP_WIDTH } from './strip';
import { nowUs } from '../../src/main/encoder/timestamps';
import type { Arrival } from './readers';

const PAGE_SCRIPT = `(() => {
${READ_STRIP_JS}
window.rx = (() => {
  const pc = new RTCPeerConnection();
  const video = document.createElement('video');
  video.muted = true; video.autoplay = true; video.playsInline = true; video.width = 1280; video.height = 720;
  document.body.appendChild(video);
  const canvas = document.createElement('canvas');
  canvas.width = ${STRIP_WIDTH}; canvas.height = ${STRIP_ROWS};
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const out = [];
  let callbacks = 0, bad = 0;
  const onFrame = () => {
    const at = performance.timeOrigin + performance.now();
    callbacks++;
    try {
      ctx.drawImage(video, 0, 0, ${STRIP_WIDTH}, ${STRIP_ROWS}, 0, 0, ${STRIP_WIDTH}, ${STRIP_ROWS});
      const px = ctx.getImageData(0, 0, ${STRIP_WIDTH}, ${STRIP_ROWS}).data;
      const seq = readStrip(px, ${STRIP_WIDTH} * 4, 4);
      if (seq === undefined) bad++; else out.push([seq, at]);
    } catch (e) { bad++; }
    video.requestVideoFrameCallback(onFrame);
  };
  pc.ontrack = (e) => {
    if (e.track.kind !== 'video') return;
    video.srcObject = new MediaStream([e.track]);
    void video.play();
    video.requestVideoFrameCallback(onFrame);
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
      (await pc.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') v = { framesDecoded: s.framesDecoded, framesDropped: s.framesDropped, packetsLost: s.packetsLost, packetsReceived: s.packetsReceived, nackCount: s.nackCount, pliCount: s.pliCount, jitterBufferDelay: s.jitterBufferDelay, jitterBufferEmittedCount: s.jitterBufferEmittedCount, freezeCount: s.freezeCount }; });
      const all = await pc.getStats();
      const pairs = [];
      all.forEach((s) => { if (s.type === 'candidate-pair' && s.state === 'succeeded') { const l = all.get(s.localCandidateId), r = all.get(s.remoteCandidateId); pairs.push((l ? l.candidateType + ' ' + (l.address || '?') : '?') + ' <- ' + (r ? r.candidateType + ' ' + (r.address || '(redacted)') : '?')); } });
      return { ...v, callbacks, bad, state: pc.connectionState, pairs };
    },
    close() { pc.close(); video.remove(); },
  };
})();
})()`;

export interface ChromiumRxStats {
  framesDecoded?: number;
  framesDropped?: number;
  packetsLost?: number;
  packetsReceived?: number;
  nackCount?: number;
  pliCount?: number;
  jitterBufferDelay?: number;
  jitterBufferEmittedCount?: number;
  freezeCount?: number;
  callbacks: number;
  bad: number;
  state: string;
  /**
   * Succeeded ICE candidate pairs, `<type> <chromium addr> <- <type> <remote addr>`: `host nsAddr <-
   * host hostAddr` direct; through the relay `prflx 127.0.0.1 <- prflx (redacted)` (Chromium's
   * local prflx address is the relay's public 127.0.0.1 port, learned from werift's
   * XOR-MAPPED-ADDRESS; its socket is still on nsAddr; remote prflx addresses are not exposed).
   */
  pairs?: string[];
}

export interface RelayHook {
  /** Public relay port (what werift is told to send to). */
  port: number;
  /** Called with Chromium's own (nsAddr) UDP candidate once the answer is known. */
  setTarget(t: { host: string; port: number }): void;
}

function stripCandidates(sdp: string): string {
  return sdp.split(/\r?\n/).filter((l) => !l.startsWith('a=candidate:') && !l.startsWith('a=end-of-candidates')).join('\r\n');
}

/** Chromium's UDP host candidate (component 1) on `addr`. */
function hostCandidate(sdp: string, addr: string): { host: string; port: number } | undefined {
  for (const m of sdp.matchAll(/a=candidate:\S+ 1 udp \d+ (\S+) (\d+) typ host/gi)) if (m[1] === addr) return { host: addr, port: Number(m[2]) };
  return undefined;
}

/** Put `port` on 127.0.0.1 as the only candidate of every m-section. */
function relayCandidates(sdp: string, port: number): string {
  const lines = stripCandidates(sdp).split('\r\n');
  const out: string[] = [];
  for (const l of lines) {
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
  private server: http.Server | undefined;
  private close_: (() => Promise<void>) | undefined;
  url = '';

  private constructor(private readonly page: Page) {}

  /** `browser` must be a launchChromiumInNetns() one, `netns` its namespace. */
  static async open(browser: Browser, netns: ChromiumNetns, relay?: RelayHook): Promise<ChromiumReceiver> {
    const sp = await pageOn(browser, netns.hostAddr);
    const rx = new ChromiumReceiver(sp.page);
    await sp.page.evaluate(PAGE_SCRIPT);
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
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (req.method === 'DELETE') return void res.writeHead(200).end();
        if (req.method !== 'POST') return void res.writeHead(405).end();
        const offer = relay ? stripCandidates(body) : body;
        sp.page.evaluate(`window.rx.answer(${JSON.stringify(offer)})`).then(
          (answer) => {
            let a = String(answer);
            if (relay) {
              const c = hostCandidate(a, netns.nsAddr);
              if (c) relay.setTarget(c);
              a = relayCandidates(a, relay.port);
            }
            res.writeHead(201, { 'Content-Type': 'application/sdp', Location: '/resource/1' });
            res.end(a);
          },
          () => res.writeHead(500).end(),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    rx.server = server;
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
