// Proves the test-peer harness (test/peers/) works against the real servers: media published with
// the ffmpeg CLI or Chromium is read back and decoded; HTTP statuses come from the real WHIP server.
import { execFileSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { sharedPeers, uniqueKey } from '../peers/shared';
import { publishTestStream, type FfmpegPublisher } from '../peers/ffmpeg-publish';
import { countFrames, probeFile } from '../peers/ffprobe';
import { startFfmpegRtmpServer } from '../peers/ffmpeg-rtmp-server';
import { startNginxRtmp } from '../peers/nginx';
import { startStunnel } from '../peers/stunnel';
import { startRtpReceiver, payloadTypesFromSdp } from '../peers/rtp-receiver';
import { launchChromium, launchChromiumInNetns, pageOn, type LaunchedChromium } from '../peers/chromium';
import { createChromiumWhipPublisher } from '../peers/chromium-whip';
import { sleep, isTcpListening } from '../peers/ports';
import { sdpCandidateAddresses } from '../peers/janus';

const peers = sharedPeers();
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.().catch(() => undefined);
});

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function publish(url: string, opts: Parameters<typeof publishTestStream>[1] = {}): FfmpegPublisher {
  const p = publishTestStream(url, opts);
  cleanups.push(() => p.stop());
  return p;
}

describe('nginx-rtmp (shared, from global setup)', () => {
  it('receives a 3 s ffmpeg publish, shows it in /stat, and plays it back', async () => {
    const key = uniqueKey('nginx');
    const url = peers.nginx.url(key);
    const pub = publish(url, { seconds: 3 });
    const readBack = countFrames(url, { timeoutMs: 20_000 });
    const stat = await waitFor('stream in /stat', async () => {
      const s = await peers.nginx.streamStat(key);
      return s?.publishing && s.video ? s : undefined;
    });
    expect(stat.video).toMatchObject({ codec: 'H264', width: 1280, height: 720, frameRate: 30 });
    expect(stat.audio?.codec).toBe('AAC');
    expect((await pub.done).code).toBe(0);
    const r = await readBack;
    expect(r.timedOut).toBe(false);
    expect(r.videoCodec).toBe('h264');
    expect([r.width, r.height]).toEqual([1280, 720]);
    // the player joins a little late and waits for a keyframe: most of the 90 frames, not all
    expect(r.frames).toBeGreaterThanOrEqual(45);
    expect(r.hasAudio).toBe(true);
    expect(r.audioFrames).toBeGreaterThan(40);
    // after unpublish the stream disappears from /stat
    await waitFor('stream gone from /stat', async () => ((await peers.nginx.streamStat(key)) ? undefined : true));
  });

  it('refuses a publish to the deny application', async () => {
    const key = uniqueKey('deny');
    const pub = publish(peers.nginx.url(key, peers.nginx.denyApp), { seconds: 2 });
    const done = await pub.done;
    expect(done.code).not.toBe(0);
    expect(await peers.nginx.streamStat(key, peers.nginx.denyApp)).toBeUndefined();
  });

  it('takes RTMPS through stunnel', async () => {
    const tls = await startStunnel({ targetPort: peers.nginx.rtmpPort });
    cleanups.push(() => tls.stop());
    const key = uniqueKey('tls');
    const pub = publish(tls.url('live', key), { seconds: 2, size: '640x360' });
    const stat = await waitFor('TLS stream in /stat', async () => {
      const s = await peers.nginx.streamStat(key);
      return s?.video ? s : undefined;
    });
    expect(stat.video).toMatchObject({ width: 640, height: 360 });
    expect((await pub.done).code).toBe(0);
  });
});

describe('private nginx-rtmp', () => {
  it('can be killed mid-stream and restarted on the same ports', async () => {
    const nginx = await startNginxRtmp();
    cleanups.push(() => nginx.stop());
    const { rtmpPort, httpPort } = nginx;
    const pub = publish(nginx.url('live', 'a'), { seconds: 30, size: '320x240' });
    await waitFor('publisher in /stat', async () => ((await nginx.streamStat('live', 'a'))?.publishing ? true : undefined));
    await nginx.kill();
    expect(nginx.isRunning()).toBe(false);
    expect(await isTcpListening(rtmpPort)).toBe(false);
    const dead = await pub.done;
    expect(dead.code).not.toBe(0); // ffmpeg loses its connection
    await nginx.start();
    expect([nginx.rtmpPort, nginx.httpPort]).toEqual([rtmpPort, httpPort]);
    const pub2 = publish(nginx.url('live', 'b'), { seconds: 2, size: '320x240' });
    const s = await waitFor('second publisher in /stat', async () => {
      const st = await nginx.streamStat('live', 'b');
      return st?.video ? st : undefined;
    });
    expect(s.video).toMatchObject({ width: 320, height: 240 });
    expect((await pub2.done).code).toBe(0);
  });
});

describe('ffmpeg as RTMP server', () => {
  it('records a publish to FLV that decodes', async () => {
    const srv = await startFfmpegRtmpServer({ app: 'live', key: 'k' });
    cleanups.push(() => srv.stop());
    const pub = publish(srv.url, { seconds: 2 });
    expect((await pub.done).code).toBe(0);
    const done = await srv.done;
    expect(done.code).toBe(0);
    if (!srv.outputPath) throw new Error('no output path');
    const probe = await probeFile(srv.outputPath);
    expect(probe.formatName).toBe('flv');
    expect(probe.video).toMatchObject({ codec: 'h264', width: 1280, height: 720 });
    expect(probe.audio?.codec).toBe('aac');
    const r = await countFrames(srv.outputPath);
    expect(r.frames).toBeGreaterThanOrEqual(58); // 2 s at 30 fps
    expect(r.frames).toBeLessThanOrEqual(61);
    expect(r.audioFrames).toBeGreaterThan(80);
  });
});

describe('simple-whip-server + Janus (shared)', () => {
  it('runs Janus in a network namespace of ours, reachable only over its veth link', () => {
    const ns = inject('janusNetns');
    const nsAddr = new URL(peers.whip.janusWsUrl).hostname;
    expect(ns).toMatch(/^tandem-\d+-\d+$/);
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).toContain(ns);
    // the namespace holds lo and one veth end with the ns-side /30 address; no default route
    const addrs = execFileSync('ip', ['netns', 'exec', ns, 'ip', '-o', 'addr', 'show'], { encoding: 'utf8' });
    const inet = [...addrs.matchAll(/ inet6? (\S+)/g)].map((m) => m[1]);
    expect(inet.sort()).toEqual(['127.0.0.1/8', `${nsAddr}/30`].sort());
    const routes = execFileSync('ip', ['netns', 'exec', ns, 'ip', 'route', 'show'], { encoding: 'utf8' });
    expect(routes).not.toMatch(/default/);
    expect(routes.trim().split('\n')).toHaveLength(1); // just the /30 of the link
    // the RTP recipient is our side of that link
    expect(peers.whip.recipientHost).toBe(inject('whipRecipientHost'));
    expect(execFileSync('ip', ['-o', '-4', 'addr', 'show'], { encoding: 'utf8' })).toContain(` ${peers.whip.recipientHost}/30 `);
  });

  it('creates, lists and deletes endpoints', async () => {
    const id = uniqueKey('e');
    const url = await peers.whip.createEndpoint({ id, token: 'secret' });
    expect(url).toBe(`${peers.whip.baseUrl}/endpoint/${id}`);
    const list = await peers.whip.listEndpoints();
    expect(list.find((e) => e.id === id)).toMatchObject({ room: peers.whip.room, enabled: false });
    // publishing with a wrong token or a wrong content type is refused before Janus is involved
    const bad = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/sdp', Authorization: 'Bearer nope' }, body: 'v=0\r\n' });
    expect(bad.status).toBe(403);
    const wrongType = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'text/plain', Authorization: 'Bearer secret' }, body: 'v=0\r\n' });
    expect(wrongType.status).toBe(406);
    expect(await peers.whip.deleteEndpoint(id)).toBe(200);
    expect(await peers.whip.deleteEndpoint(id)).toBe(404);
  });

  describe('with Chromium publishing H.264 + Opus', () => {
    let chromium: LaunchedChromium;
    beforeAll(async () => {
      chromium = await launchChromium({ fakeMedia: true });
    });
    afterAll(async () => {
      await chromium?.close();
    });

    it('answers 201 and Janus forwards RTP that ffmpeg decodes', async () => {
      const pub = await createChromiumWhipPublisher(chromium.browser);
      cleanups.push(() => pub.close());
      const { video, audio } = pub.payloadTypes;
      expect(video?.codec).toBe('H264');
      expect(audio?.codec).toBe('opus');
      if (!video || !audio) throw new Error('no payload types in the offer');
      // receiver first, so it sees the first keyframe
      const rx = await startRtpReceiver({ videoPt: video.pt, audioPt: audio.pt });
      cleanups.push(() => rx.stop());
      expect(rx.host).toBe(peers.whip.recipientHost); // Janus forwards over the veth link
      const id = uniqueKey('chromium');
      const token = 'tok';
      const endpoint = await peers.whip.createEndpoint({
        id,
        token,
        recipient: { videoPort: rx.videoPort, ...(rx.audioPort !== undefined ? { audioPort: rx.audioPort } : {}) },
      });
      cleanups.push(() => peers.whip.deleteEndpoint(id));
      const res = await pub.publish(endpoint, { token });
      expect(res.status).toBe(201);
      expect(res.location).toBe(`${peers.whip.baseUrl}/resource/${id}`);
      if (!res.answerSdp) throw new Error('no answer');
      // Janus answers with the offered payload types: what the receiver was told
      expect(payloadTypesFromSdp(res.answerSdp).video?.pt).toBe(video.pt);
      // Janus offers candidates on the ns-side veth address only
      const nsAddr = new URL(peers.whip.janusWsUrl).hostname;
      const janusCandidates = sdpCandidateAddresses(res.answerSdp);
      expect(janusCandidates.length).toBeGreaterThan(0);
      expect(new Set(janusCandidates)).toEqual(new Set([nsAddr]));
      await pub.waitConnected(20_000);
      // the pair in use runs over the veth link: our side → Janus' side
      const pair = await pub.selectedPair();
      console.log('chromium → janus', JSON.stringify({ janusCandidates, offered: sdpCandidateAddresses(pub.offerSdp), pair }));
      expect(pair?.state).toBe('succeeded');
      expect(pair?.local.address).toBe(peers.whip.recipientHost);
      expect(pair?.remote.address).toBe(nsAddr);
      // a second publisher on a busy endpoint is refused
      const second = await fetch(endpoint, { method: 'POST', headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${token}` }, body: pub.offerSdp });
      expect(second.status).toBe(403);
      await rx.waitForFrames(60, 30_000);
      const sent = await pub.outboundStats();
      expect(sent.framesEncoded).toBeGreaterThan(0);
      expect(await pub.unpublish()).toBe(200);
      const r = await rx.result();
      console.log('forward decoded', JSON.stringify({ frames: r.frames, size: `${r.width}x${r.height}`, audioFrames: r.audioFrames }));
      expect(r.videoCodec).toBe('h264');
      expect(r.frames).toBeGreaterThanOrEqual(60);
      expect(r.width).toBeGreaterThan(0);
      expect(r.height).toBeGreaterThan(0);
      expect(r.hasAudio).toBe(true);
      expect(r.audioFrames).toBeGreaterThan(0);
      expect(await peers.whip.deleteEndpoint(id)).toBe(200);
    });
  });
});

describe('Chromium in a network namespace of ours (launchChromiumInNetns)', () => {
  it('gathers its only WebRTC host candidate on nsAddr; close() deletes the namespace', async () => {
    const c = await launchChromiumInNetns();
    try {
      const { page, origin, close } = await pageOn(c.browser, c.netns.hostAddr);
      cleanups.push(close);
      expect(origin).toMatch(new RegExp(`^http://${c.netns.hostAddr.replace(/\./g, '\\.')}:\\d+$`));
      const candidates = (await page.evaluate(`(async () => {
        const pc = new RTCPeerConnection();
        pc.addTransceiver('video', { direction: 'recvonly' });
        await pc.setLocalDescription(await pc.createOffer());
        await new Promise((r) => { const t = setTimeout(r, 5000); pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === 'complete') { clearTimeout(t); r(); } }; });
        const c = pc.localDescription.sdp.split('\\r\\n').filter((l) => l.startsWith('a=candidate:'));
        pc.close();
        return c;
      })()`)) as string[];
      // (in the root namespace: 192.0.2.2 and fd00::2, eth0's addresses, and nothing on loopback)
      expect(candidates.length).toBeGreaterThan(0);
      expect(candidates.map((l) => l.split(' ')[4])).toEqual(candidates.map(() => c.netns.nsAddr));
    } finally {
      await c.close();
    }
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(c.netns.name);
  });
});
