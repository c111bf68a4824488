// WhipOutput when its media path dies and comes back (docs/ARCHITECTURE.md "Outputs"), against
// Janus + simple-whip-server, the media crossing a UDP relay of ours (the signalling proxy steers
// ICE onto it: Janus never learns our own candidates, so only our connectivity checks can revive a
// path, as for a publisher behind NAT):
// - an ICE restart by PATCH (RFC 9725 §4.3.2) on a working path gets a new nominated pair and the
//   media keeps flowing (Janus' 200 carries no candidates: the old ones still apply);
// - a path blackholed for 5 s is noticed (no RTCP for 3 s); the restart tried meanwhile cannot get
//   through, so it is given up, the session DELETEd and a new one POSTed: live again, decoding
//   again, with exactly one drop and one new POST (no restart loop).
import { afterEach, describe, expect, it } from 'vitest';
import { WhipOutput } from '../../src/main/outputs/whip/whip-output';
import type { OutputState } from '../../src/shared/stats';
import { sharedPeers, uniqueKey } from '../peers/shared';
import { startRtpReceiver, type RtpReceiver } from '../peers/rtp-receiver';
import { sleep } from '../peers/ports';
import { ffmpegSource, type LiveSource } from '../unit/outputs/whip/media-source';
import { UdpRelay } from '../helpers/relay';
import { startWhipProxy, type WhipProxy } from '../helpers/whip-proxy';
import { framesAfter } from '../helpers/far-end';

const OPUS_PT = 96;
const H264_PT = 97;

let src: LiveSource | undefined;
let out: WhipOutput | undefined;
let rx: RtpReceiver | undefined;
let relay: UdpRelay | undefined;
let proxy: WhipProxy | undefined;
afterEach(async () => {
  src?.stop();
  await out?.stop();
  await rx?.stop();
  await proxy?.close();
  await relay?.close();
  src = out = rx = relay = proxy = undefined;
});

async function setup(seconds: number): Promise<{ o: WhipOutput; states: [OutputState, number][]; t0: number; relay: UdpRelay; proxy: WhipProxy; rx: RtpReceiver }> {
  const peers = sharedPeers();
  const r = new UdpRelay({ host: '127.0.0.1', port: 9 }, { rttMs: 0, lossRate: 0 }, peers.whip.recipientHost);
  relay = r;
  await r.listen();
  const p = await startWhipProxy({ target: peers.whip.baseUrl, media: r });
  proxy = p;
  const x = await startRtpReceiver({ videoPt: H264_PT, audioPt: OPUS_PT });
  rx = x;
  const recipient = x.audioPort === undefined ? { videoPort: x.videoPort } : { videoPort: x.videoPort, audioPort: x.audioPort };
  const token = 'path-loss-token-0123456789';
  const url = await peers.whip.createEndpoint({ id: uniqueKey('path-loss'), token, recipient });
  src = ffmpegSource({ width: 1280, height: 720, fps: 30, seconds, gop: 30, audio: true });
  const config = await src.config;
  const o = new WhipOutput({ id: 'w', url: p.via(url), token, videoBitrateKbps: 1000, audioBitrateKbps: 64 });
  out = o;
  const states: [OutputState, number][] = [];
  const t0 = Date.now();
  o.on('state', (st) => states.push([st, Date.now() - t0]));
  src.onPacket((pk) => o.write(pk));
  await o.start([config, { codec: 'opus', sampleRate: 48000, channels: 2 }]);
  await x.waitForFrames(60, 20_000);
  expect(r.counters.forwarded, 'media crosses the relay').toBeGreaterThan(100);
  return { o, states, t0, relay: r, proxy: p, rx: x };
}

describe('WHIP: ICE restart and path loss through a relay', () => {
  it('an ICE restart after which the server drops our video: noticed, and a new session brings it back', async () => {
    // simple-whip-server restarts ICE by replaying our original offer to Janus, and Janus 1.1.2
    // answers it rejecting H.264 ("Couldn't find codec we needed (h264) in the offer"): ICE
    // reconnects, audio goes on, the video is gone. Only the receiver reports tell.
    const { o, states, t0, rx: x, proxy: p } = await setup(30);
    const posts = p.posts().length;
    const ok = await o.restartIce();
    const at = Date.now();
    const decodedAt = await framesAfter(x, x.stats().frames, 20_000, 60);
    const restarts = p.requests.filter((q) => q.method === 'PATCH').length;
    console.log('whip ICE restart', JSON.stringify({ ok, states, requests: p.requests.map((q) => `${q.method} ${q.status} @${q.at - t0}`), framesAgainAfterMs: decodedAt - at }));
    expect(ok, 'ICE itself reconnected').toBe(true);
    expect(restarts, 'no second restart').toBe(1);
    expect(p.posts().length - posts, 'one new session').toBe(1);
    expect(o.state).toBe('live');
    expect(decodedAt - at).toBeLessThan(12_000);
  });

  it('5 s blackhole: one drop, the restart given up, one new session, decoding again', async () => {
    const { o, states, t0, rx: x, proxy: p, relay: r } = await setup(40);
    const posts = p.posts().length;
    const lostAt = Date.now();
    r.blackhole(5000);
    await sleep(5000);
    const backAt = Date.now();
    const decodedAt = await framesAfter(x, x.stats().frames, 20_000, 30);
    await sleep(4000); // would a stale RTCP clock drop it again?
    const drops = states.filter(([st]) => st === 'reconnecting');
    console.log('whip path loss', JSON.stringify({ lostAt: lostAt - t0, states, requests: p.requests.map((q) => `${q.method} ${q.status} @${q.at - t0}`), decodedAfterReturnMs: decodedAt - backAt, reconnects: o.stats().reconnects }));
    expect(o.state).toBe('live');
    expect(states.find(([st]) => st === 'reconnecting')![1] - (lostAt - t0), 'noticed within 4 s').toBeLessThan(4000);
    expect(p.requests.filter((q) => q.method === 'PATCH').length, 'one ICE restart').toBe(1);
    expect(p.posts().length - posts, 'one new session').toBe(1);
    expect(drops.length, 'no second drop once live again').toBeLessThanOrEqual(2);
    expect(states.at(-1)?.[0]).toBe('live');
    expect(decodedAt - backAt).toBeLessThan(10_000);
  });
});
