// WhipOutput with Chromium as the receiver: a harness WHIP endpoint (node:http, 127.0.0.1; only our
// WhipOutput talks to it, the test relays to the page with page.evaluate) whose SDP answer comes
// from an RTCPeerConnection in a Chromium page. Chromium runs in a network namespace of the test's
// own (launchChromiumInNetns: in the root ns it gathers candidates on eth0's addresses only), its
// page served on the veth's hostAddr; media flows hostAddr ↔ nsAddr, which the test asserts. Checks Chromium decodes 1280x720 video and Opus audio, and that a receiver-side
// keyframe request (RTCRtpScriptTransformer.sendKeyFrameRequest → RTCP PLI/FIR) reaches the
// encoder as 'keyframeRequest' and the next keyframe follows within the GOP.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WhipOutput } from '../../src/main/outputs/whip/whip-output';
import type { Page } from 'playwright-core';
import { launchChromiumInNetns, pageOn, type ChromiumNetns, type LaunchedChromium } from '../peers/chromium';
import { ffmpegSource, type LiveSource } from '../unit/outputs/whip/media-source';
import { applyRemoteIce, buildSdpFrag, iceParams, parseSdpFrag } from '../../src/main/outputs/whip/sdp';

// Runs in the page. Kept as a string: the test tsconfig has no DOM types.
const PAGE_SCRIPT = `
window.rx = (() => {
  const worker = new Worker(URL.createObjectURL(new Blob([\`
    let transformer;
    onrtctransform = (e) => {
      transformer = e.transformer;
      transformer.readable.pipeTo(transformer.writable);
    };
    onmessage = async () => {
      try { await transformer.sendKeyFrameRequest(); postMessage('ok'); }
      catch (err) { postMessage('error: ' + err); }
    };
  \`], { type: 'text/javascript' })));
  const pc = new RTCPeerConnection();
  pc.ontrack = (e) => {
    if (e.track.kind === 'video') e.receiver.transform = new RTCRtpScriptTransform(worker, {});
    else {
      // Audio is decoded only for a sink: play it (headless has a fake output device).
      const a = new Audio();
      a.srcObject = new MediaStream([e.track]);
      void a.play();
      window.audioEl = a;
    }
  };
  return {
    async answer(offer) {
      await pc.setRemoteDescription({ type: 'offer', sdp: offer });
      await pc.setLocalDescription(await pc.createAnswer());
      if (pc.iceGatheringState !== 'complete') {
        await new Promise((r) => pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r()));
      }
      return pc.localDescription.sdp;
    },
    async restart(offer) {
      await pc.setRemoteDescription({ type: 'offer', sdp: offer });
      await pc.setLocalDescription(await pc.createAnswer());
      await new Promise((r) => setTimeout(r, 300));
      return pc.localDescription.sdp;
    },
    requestKeyFrame() {
      return new Promise((r) => { worker.onmessage = (m) => r(m.data); worker.postMessage('kf'); });
    },
    async stats() {
      const out = {};
      (await pc.getStats()).forEach((s) => {
        if (s.type === 'inbound-rtp') out[s.kind] = {
          framesDecoded: s.framesDecoded, keyFramesDecoded: s.keyFramesDecoded, frameWidth: s.frameWidth,
          frameHeight: s.frameHeight, pliCount: s.pliCount, firCount: s.firCount, nackCount: s.nackCount,
          packetsReceived: s.packetsReceived, packetsLost: s.packetsLost, totalSamplesReceived: s.totalSamplesReceived,
          concealedSamples: s.concealedSamples, jitter: s.jitter,
        };
      });
      out.state = pc.connectionState;
      const all = await pc.getStats();
      out.pairs = [];
      all.forEach((s) => {
        if (s.type !== 'candidate-pair' || s.state !== 'succeeded') return;
        const l = all.get(s.localCandidateId), r = all.get(s.remoteCandidateId);
        out.pairs.push({ local: l && l.address, remote: r && r.address, nominated: s.nominated, bytesReceived: s.bytesReceived });
      });
      return out;
    },
    close() { pc.close(); worker.terminate(); },
  };
})();
`;

interface InboundStats {
  framesDecoded?: number;
  keyFramesDecoded?: number;
  frameWidth?: number;
  frameHeight?: number;
  pliCount?: number;
  firCount?: number;
  nackCount?: number;
  packetsReceived?: number;
  packetsLost?: number;
  totalSamplesReceived?: number;
  concealedSamples?: number;
}
interface PageStats {
  video?: InboundStats;
  audio?: InboundStats;
  state: string;
  /** Chromium's succeeded candidate pairs (local = its side). */
  pairs: { local?: string; remote?: string; nominated?: boolean; bytesReceived?: number }[];
}

/** Every succeeded pair is nsAddr ↔ hostAddr (or loopback): never eth0's 192.0.2.2 / fd00::2. */
function expectTestLinkOnly(s: PageStats, ns: ChromiumNetns): void {
  expect(s.pairs.length).toBeGreaterThan(0);
  const ok = (a: string | undefined, want: string): boolean => a === want || /^127\./.test(a ?? '');
  for (const p of s.pairs) {
    expect(ok(p.local, ns.nsAddr), `local ${p.local}`).toBe(true);
    expect(ok(p.remote, ns.hostAddr), `remote ${p.remote}`).toBe(true);
  }
}

let chromium: LaunchedChromium | undefined;
let src: LiveSource | undefined;
let out: WhipOutput | undefined;
let server: http.Server | undefined;
let closePage: (() => Promise<void>) | undefined;
afterEach(async () => {
  src?.stop();
  await out?.stop();
  await closePage?.();
  await chromium?.close();
  server?.closeAllConnections();
  server?.close();
  src = out = chromium = server = closePage = undefined;
});

/** Chromium page + node:http WHIP endpoint whose answers (POST, and ICE-restart PATCH) come from the page. */
async function chromiumEndpoint(): Promise<{ page: Page; url: string; methods: string[]; ns: ChromiumNetns }> {
  const c = await launchChromiumInNetns({ args: ['--autoplay-policy=no-user-gesture-required'] });
  chromium = c;
  // Not a secure context (http://10.213.x.1): RTCPeerConnection and RTCRtpScriptTransform work anyway.
  const { page, close } = await pageOn(c.browser, c.netns.hostAddr);
  closePage = close;
  await page.evaluate(PAGE_SCRIPT);
  const methods: string[] = [];
  let offer = '';
  let etag = 1;
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      methods.push(req.method ?? '');
      if (req.method === 'DELETE') return void res.writeHead(200).end();
      if (req.method === 'PATCH' && req.headers['if-match'] === '"*"') {
        offer = applyRemoteIce(offer, parseSdpFrag(body));
        void page.evaluate(`window.rx.restart(${JSON.stringify(offer)})`).then((answer) => {
          const a = String(answer);
          res.writeHead(200, { 'Content-Type': 'application/trickle-ice-sdpfrag', ETag: `"${++etag}"` });
          res.end(buildSdpFrag(a, iceParams(a).candidates, true));
        });
        return;
      }
      if (req.method !== 'POST') return void res.writeHead(405).end();
      offer = body;
      void page.evaluate(`window.rx.answer(${JSON.stringify(body)})`).then((answer) => {
        res.writeHead(201, { 'Content-Type': 'application/sdp', Location: '/resource/1', ETag: '"1"' });
        res.end(String(answer));
      });
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { page, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/whip`, methods, ns: c.netns };
}

describe('WHIP to a Chromium receiver', () => {
  it('Chromium decodes 10 s of 1280x720 H.264 and Opus; a receiver keyframe request gets a keyframe within the GOP', async () => {
    const { page, url, methods, ns } = await chromiumEndpoint();
    const GOP_MS = 2000;
    src = ffmpegSource({ width: 1280, height: 720, fps: 30, seconds: 14, gop: 60, audio: true });
    const config = await src.config;
    out = new WhipOutput({ id: 'chromium', url, videoBitrateKbps: 2500, audioBitrateKbps: 64 });
    const o = out;
    let keyframeSentAt = 0;
    src.onPacket((p) => {
      if (p.track === 'video' && p.keyframe) keyframeSentAt = performance.now();
      o.write(p);
    });
    const requests: number[] = [];
    out.on('keyframeRequest', () => requests.push(performance.now()));
    await out.start([config, { codec: 'opus', sampleRate: 48000, channels: 2 }]);
    const stats = (): Promise<PageStats> => page.evaluate('window.rx.stats()') as Promise<PageStats>;

    // Ask for a keyframe from the receiver ~5 s in, right after a keyframe so the GOP is not due.
    await new Promise((r) => setTimeout(r, 4000));
    // Ask mid-GOP: 500 ms after a keyframe went out (so it is decoded before the snapshot), the
    // next scheduled one is ~1.5 s away. With the ffmpeg CLI encoder the promise is "within one
    // GOP" (PROTOCOLS.md: it cannot force an IDR); 'keyframeRequest' itself must be immediate.
    while (performance.now() - keyframeSentAt > 100) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 500));
    const before = await stats();
    const plisBefore = (out.stats().plis ?? 0) + (out.stats().firs ?? 0);
    const tReq = performance.now();
    const reqResult = await page.evaluate('window.rx.requestKeyFrame()');
    let tKey = 0;
    while (performance.now() - tReq < GOP_MS + 1500) {
      const s = await stats();
      if ((s.video?.keyFramesDecoded ?? 0) > (before.video?.keyFramesDecoded ?? 0)) {
        tKey = performance.now();
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const ours = out.stats();
    const requestLatency = (requests.find((t) => t >= tReq) ?? Infinity) - tReq;

    await new Promise((r) => setTimeout(r, Math.max(0, 10_500 - (performance.now() - tReq) - 4000)));
    const final = await stats();
    const s = out.stats();
    await out.stop();
    console.log(
      'chromium',
      JSON.stringify({ netns: ns, reqResult, requestLatencyMs: Math.round(requestLatency), keyframeAfterMs: Math.round(tKey - tReq), final, ours: { plis: s.plis, firs: s.firs, nacks: s.nacks, retransmits: s.retransmits, rttMs: s.rttMs, kbps: Math.round(s.bitrateKbps), availableKbps: s.availableBitrateKbps, lossFraction: s.lossFraction } }),
    );
    expect(final.video?.framesDecoded ?? 0).toBeGreaterThanOrEqual(250);
    expect(final.video?.frameWidth).toBe(1280);
    expect(final.video?.frameHeight).toBe(720);
    expect(final.audio?.packetsReceived ?? 0).toBeGreaterThan(400);
    expect(final.audio?.totalSamplesReceived ?? 0).toBeGreaterThan(48000 * 8);
    expect(reqResult).toBe('ok');
    expect((ours.plis ?? 0) + (ours.firs ?? 0)).toBeGreaterThan(plisBefore);
    expect(requestLatency).toBeLessThan(200);
    expect(tKey).toBeGreaterThan(0);
    expect(tKey - tReq).toBeLessThan(GOP_MS + 500);
    expect(methods).toEqual(['POST', 'DELETE']);
    expectTestLinkOnly(final, ns);
  });

  it('ICE restart (PATCH If-Match "*") against Chromium: new credentials, media keeps flowing', async () => {
    const { page, url, methods, ns } = await chromiumEndpoint();
    src = ffmpegSource({ width: 640, height: 360, fps: 30, seconds: 8, gop: 30 });
    const config = await src.config;
    out = new WhipOutput({ id: 'chromium-restart', url, videoBitrateKbps: 1000 });
    const o = out;
    src.onPacket((p) => o.write(p));
    await out.start([config]);
    const stats = (): Promise<PageStats> => page.evaluate('window.rx.stats()') as Promise<PageStats>;
    await new Promise((r) => setTimeout(r, 2000));
    const before = await stats();
    const ok = await out.restartIce();
    await new Promise((r) => setTimeout(r, 3000));
    const after = await stats();
    console.log('restart', JSON.stringify({ ok, before: before.video?.framesDecoded, after: after.video?.framesDecoded, state: after.state, methods, pairs: after.pairs }));
    expect(ok).toBe(true);
    expect(methods.slice(0, 2)).toEqual(['POST', 'PATCH']);
    expect((after.video?.framesDecoded ?? 0) - (before.video?.framesDecoded ?? 0)).toBeGreaterThan(60);
    expect(out.stats().reconnects).toBe(1);
    expectTestLinkOnly(after, ns);
  });
});
