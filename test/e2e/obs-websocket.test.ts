// Issue #15 Checks on the real thing: the built `tandem serve --obs-websocket-port N` (password from
// $TANDEM_OBS_WEBSOCKET_PASSWORD), the studio page composing in Chromium, and obs-websocket-js
// 5.0.8 as the client, as a Stream Deck plugin or Companion would connect. What is checked is what
// a user sees: frames in a recording and at nginx-rtmp, the mixer on the page, the PNG decoded,
// the sockets `ss` lists, the Settings dialog.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { countFrames, probeFile, type CountResult } from '../peers/ffprobe';
import { freePort } from '../peers/ports';
import { uniqueKey } from '../peers/shared';
import { openStudio, type OpenStudio } from '../helpers/studio-process';
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import { TappedOBS, decodeDataUrl, meanRgb, rawClient, wire } from '../helpers/obs-websocket';
import { formatCounts, runFuzz } from '../helpers/obs-fuzz';
import type { StudioApi } from '../../src/shared/api';
import { newSource } from '../../src/shared/scene/ops';

const W = 1280;
const H = 720;
const PASSWORD = `pw-${randomBytes(12).toString('hex')}`;
const RTMP_KEY = uniqueKey('obsws');
const WHIP_TOKEN = `whip-token-${randomBytes(12).toString('hex')}`;

type Colour = 'red' | 'blue' | 'other';
function colourOf([r, g, b]: [number, number, number]): Colour {
  if (r > 180 && g < 80 && b < 80) return 'red';
  if (b > 180 && r < 80 && g < 80) return 'blue';
  return 'other';
}

/** The colour of each decoded frame of a file, 5 per second, from a 16x9 thumbnail's mean. */
function colourTimeline(file: string): Colour[] {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-vf', 'fps=5,scale=16:9', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 16 << 20 });
  if (r.status !== 0) throw new Error(`ffmpeg could not decode ${file}: ${r.stderr.toString().slice(-400)}`);
  const size = 16 * 9 * 3;
  const out: Colour[] = [];
  for (let off = 0; off + size <= r.stdout.length; off += size) {
    const sum = [0, 0, 0];
    for (let i = off; i < off + size; i += 3) for (let c = 0; c < 3; c++) sum[c] = (sum[c] ?? 0) + (r.stdout[i + c] ?? 0);
    out.push(colourOf([(sum[0] ?? 0) / 144, (sum[1] ?? 0) / 144, (sum[2] ?? 0) / 144]));
  }
  return out;
}

/** Consecutive runs of one colour, 'other' (black before the first frame, a fade) left out. */
function runs(timeline: Colour[]): { colour: Colour; frames: number }[] {
  const out: { colour: Colour; frames: number }[] = [];
  for (const c of timeline) {
    if (c === 'other') continue;
    const last = out[out.length - 1];
    if (last?.colour === c) last.frames++;
    else out.push({ colour: c, frames: 1 });
  }
  return out;
}

interface Seen {
  type: string;
  data: Record<string, unknown>;
}

describe('obs-websocket 5 endpoint on tandem serve (issue 15)', () => {
  let open: OpenStudio;
  let page: Page;
  let api: StudioApi;
  let obsPort: number;
  let url: string;
  let obs: TappedOBS;
  const events: Seen[] = [];
  /** Frames from the fuzz connections that carried a secret. */
  const leaked: string[] = [];
  const recDir = mkdtempSync(join(tmpdir(), 'tandem-obsws-rec-'));
  const since = (type: string, from: number) => events.slice(from).filter((e) => e.type === type);

  beforeAll(async () => {
    obsPort = await freePort();
    url = `ws://127.0.0.1:${obsPort}`;
    open = await openStudio({ width: W, height: H }, undefined, { args: ['--obs-websocket-port', String(obsPort)], env: { TANDEM_OBS_WEBSOCKET_PASSWORD: PASSWORD } });
    ({ page, api } = open);
    expect(open.studio.stdout()).toContain(`obs-websocket 5 server for Stream Deck, Companion and other tools: ${url} (password required)`);
    // The password came through the environment: the engine's command line does not carry it.
    expect(spawnSync('ps', ['-o', 'args=', '-p', String(open.studio.pid)]).stdout.toString()).not.toContain(PASSWORD);

    await api.updateSettings({ recordFolder: recDir });
    await api.sceneOp({ op: 'addScene', id: 'obs-red', name: 'Red' });
    await api.sceneOp({ op: 'addSource', sceneId: 'obs-red', source: { ...newSource('color', 'red', 'Red fill', W, H), settings: { kind: 'color', color: '#ff0000' } } });
    await api.sceneOp({ op: 'addSource', sceneId: 'obs-red', source: newSource('microphone', 'mic', 'Mic', W, H) });
    await api.sceneOp({ op: 'addScene', id: 'obs-blue', name: 'Blue' });
    await api.sceneOp({ op: 'addSource', sceneId: 'obs-blue', source: { ...newSource('color', 'blue', 'Blue fill', W, H), settings: { kind: 'color', color: '#0000ff' } } });
    await api.setActiveScene({ id: 'obs-red' });
    // the fake microphone reaches the mixer (expect.poll is for tests only)
    await page.locator('[data-testid=mixer] .channel', { hasText: 'Mic' }).waitFor({ timeout: 15_000 });

    // Secrets the endpoint must never hand out: an RTMP key (the live destination) and a WHIP
    // token (a disabled destination, so "Stream" does not include it).
    await api.addDestination({ name: 'nginx RTMP', protocol: 'rtmp', url: inject('nginxRtmpUrl'), secret: RTMP_KEY });
    await api.addDestination({ name: 'Parked WHIP', protocol: 'whip', url: 'https://127.0.0.1:9/whip/endpoint', secret: WHIP_TOKEN, enabled: false });
  });
  afterAll(async () => {
    await obs?.disconnect().catch(() => undefined);
    await api?.stopLive().catch(() => undefined);
    await open?.close();
  });

  it('connects with the password; a wrong password is refused with 4009 (AuthenticationFailed)', async () => {
    const wrong = new TappedOBS();
    const refused = await wrong.connect(url, 'not-the-password').then(
      () => 'connected',
      (e: { code?: number }) => e.code,
    );
    expect(refused).toBe(4009);
    const none = new TappedOBS();
    expect(await none.connect(url).then(() => 'connected', (e: { code?: number }) => e.code)).toBe(4009);

    obs = new TappedOBS();
    const hello = await obs.connect(url, PASSWORD);
    expect(hello.negotiatedRpcVersion).toBe(1);
    for (const type of ['CurrentProgramSceneChanged', 'StreamStateChanged', 'RecordStateChanged', 'InputMuteStateChanged'] as const) {
      obs.on(type, (data: object) => events.push({ type, data: data as Record<string, unknown> }));
    }
    const version = await obs.call('GetVersion');
    expect(version.availableRequests).toContain('GetSourceScreenshot');
    const scenes = await obs.call('GetSceneList');
    expect(scenes.scenes.map((s) => s.sceneName)).toEqual(expect.arrayContaining(['Red', 'Blue']));
    expect(scenes.currentProgramSceneName).toBe('Red');
  });

  it('ToggleInputMute / SetInputMute: the mixer on the page and the scene document follow, InputMuteStateChanged arrives', async () => {
    const channel = page.locator('[data-testid=mixer] .channel', { hasText: 'Mic' });
    const muteButton = channel.locator('button[aria-pressed]');
    // The channel's meter (after its gain) over 1.5 s: the fake microphone beeps about once a second.
    const loudest = async () => {
      let max = -Infinity;
      for (let i = 0; i < 15; i++) {
        max = Math.max(max, Number(await channel.getByRole('meter').getAttribute('aria-valuenow')));
        await new Promise((r) => setTimeout(r, 100));
      }
      return max;
    };
    await expect.poll(loudest, { timeout: 10_000 }).toBeGreaterThan(-40);
    const docMuted = async () => (await api.getState()).sceneDoc.scenes.find((s) => s.id === 'obs-red')?.sources.find((s) => s.id === 'mic')?.audio?.muted;
    expect((await obs.call('GetInputMute', { inputName: 'Mic' })).inputMuted).toBe(false);
    expect(await muteButton.getAttribute('aria-pressed')).toBe('false');

    const from = events.length;
    expect((await obs.call('ToggleInputMute', { inputName: 'Mic' })).inputMuted).toBe(true);
    await expect.poll(() => since('InputMuteStateChanged', from).map((e) => e.data), { timeout: 5000 }).toEqual([expect.objectContaining({ inputName: 'Mic', inputMuted: true })]);
    expect((await obs.call('GetInputMute', { inputName: 'Mic' })).inputMuted).toBe(true);
    expect(await docMuted()).toBe(true);
    await expect.poll(() => muteButton.getAttribute('aria-pressed'), { timeout: 5000 }).toBe('true');
    await expect.poll(loudest, { timeout: 10_000 }).toBeLessThanOrEqual(-60); // silent, not just marked muted

    await obs.call('SetInputMute', { inputName: 'Mic', inputMuted: false });
    await expect.poll(() => since('InputMuteStateChanged', from).length, { timeout: 5000 }).toBe(2);
    expect(since('InputMuteStateChanged', from)[1]?.data).toMatchObject({ inputName: 'Mic', inputMuted: false });
    expect((await obs.call('GetInputMute', { inputName: 'Mic' })).inputMuted).toBe(false);
    expect(await docMuted()).toBe(false);
    await expect.poll(() => muteButton.getAttribute('aria-pressed'), { timeout: 5000 }).toBe('false');
    await expect.poll(loudest, { timeout: 10_000 }).toBeGreaterThan(-40);

    // A missing input is resource-not-found (600), and nothing changes.
    await expect(obs.call('ToggleInputMute', { inputName: 'No such input' })).rejects.toMatchObject({ code: 600 });
  });

  it('SetCurrentProgramScene while recording over obs-websocket: the file shows red, then blue; CurrentProgramSceneChanged arrives', async () => {
    const from = events.length;
    await obs.call('StartRecord');
    await expect.poll(() => since('RecordStateChanged', from).map((e) => e.data['outputState']), { timeout: 15_000 }).toContain('OBS_WEBSOCKET_OUTPUT_STARTED');
    // The encoder starts after the output does (seconds on a loaded machine): hold red once bytes flow.
    await expect.poll(async () => (await obs.call('GetRecordStatus')).outputBytes, { timeout: 20_000 }).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 3000));
    await obs.call('SetCurrentProgramScene', { sceneName: 'Blue' });
    await expect.poll(() => since('CurrentProgramSceneChanged', from).map((e) => e.data['sceneName']), { timeout: 5000 }).toEqual(['Blue']);
    expect((await obs.call('GetCurrentProgramScene')).currentProgramSceneName).toBe('Blue');
    await new Promise((r) => setTimeout(r, 3000));
    const stopped = await obs.call('StopRecord');
    expect(stopped.outputPath.startsWith(recDir)).toBe(true);

    const probe = await probeFile(stopped.outputPath);
    expect(probe.video).toMatchObject({ codec: 'h264', width: W, height: H });
    const timeline = colourTimeline(stopped.outputPath);
    const seq = runs(timeline);
    console.log(`[obsws] recording ${probe.durationSec.toFixed(1)} s, colour runs at 5 fps: ${seq.map((s) => `${s.colour}×${s.frames}`).join(' ')} (all: ${timeline.map((c) => c[0]).join('')})`);
    expect(seq.map((s) => s.colour)).toEqual(['red', 'blue']);
    // ~3 s of each at 5 samples/s; at least 1 s each whatever the load.
    expect(seq[0]?.frames).toBeGreaterThanOrEqual(5);
    expect(seq[1]?.frames).toBeGreaterThanOrEqual(5);
  });

  it('RequestBatch of 5 with the 3rd failing: haltOnFailure stops at it; without, all 5 answer', async () => {
    const requests = [
      { requestType: 'GetVersion' },
      { requestType: 'GetCurrentProgramScene' },
      { requestType: 'GetInputMute', requestData: { inputName: 'No such input' } },
      { requestType: 'GetSceneList' },
      { requestType: 'GetStreamStatus' },
    ];
    const halted = await obs.batchAny(requests, { haltOnFailure: true });
    expect(halted.map((r) => [r.requestType, r.requestStatus.result, r.requestStatus.code])).toEqual([
      ['GetVersion', true, 100],
      ['GetCurrentProgramScene', true, 100],
      ['GetInputMute', false, 600],
    ]);
    const all = await obs.batchAny(requests, { haltOnFailure: false });
    expect(all.map((r) => [r.requestType, r.requestStatus.code])).toEqual([
      ['GetVersion', 100],
      ['GetCurrentProgramScene', 100],
      ['GetInputMute', 600],
      ['GetSceneList', 100],
      ['GetStreamStatus', 100],
    ]);
    expect(all[1]?.responseData?.['currentProgramSceneName']).toBe('Blue');
  });

  it('GetSourceScreenshot of the program decodes to a PNG of exactly the size asked', async () => {
    for (const [w, h] of [
      [320, 180],
      [200, 150],
    ] as const) {
      const shot = await obs.call('GetSourceScreenshot', { sourceName: 'Blue', imageFormat: 'png', imageWidth: w, imageHeight: h });
      const img = decodeDataUrl(shot.imageData);
      expect([img.codec, img.width, img.height]).toEqual(['png', w, h]);
      expect(colourOf(meanRgb(img))).toBe('blue');
    }
  });

  it('with LAN off, ss lists the port bound on 127.0.0.1 only', () => {
    const lines = spawnSync('ss', ['-ltnH']).stdout.toString().split('\n');
    const local = lines.map((l) => l.trim().split(/\s+/)[3] ?? '').filter((a) => a.endsWith(`:${obsPort}`));
    expect(local.length).toBeGreaterThan(0);
    expect(local).toEqual(local.map(() => `127.0.0.1:${obsPort}`));
  });

  it('a page from another site in Chromium cannot connect (foreign Origin refused)', async () => {
    const site = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>elsewhere</title>'));
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    const address = site.address();
    const sitePort = typeof address === 'object' && address ? address.port : 0;
    const foreign = await open.chromium.browser.newPage();
    try {
      await foreign.goto(`http://127.0.0.1:${sitePort}/`);
      const outcome = await foreign.evaluate(
        (u) =>
          new Promise<string>((resolve) => {
            const ws = new WebSocket(u, 'obswebsocket.json');
            ws.onmessage = () => resolve('got a message');
            ws.onclose = (e) => resolve(`closed ${e.code}`);
            setTimeout(() => resolve('no answer'), 10_000);
          }),
        url,
      );
      expect(outcome).toBe('closed 1006'); // the handshake was refused (403): the page never opened it
      expect((await api.getObsWebSocket()).clients).toHaveLength(1); // only the test's own client
    } finally {
      await foreign.close();
      await new Promise((r) => site.close(r));
    }
  });

  it('10 wrong passwords in a row slow the next attempt; the right one still gets in', async () => {
    const attempt = async (password: string): Promise<{ helloMs: number; code: number }> => {
      const t0 = performance.now();
      const c = await rawClient(url);
      const hello = await c.next(0);
      const helloMs = performance.now() - t0;
      const a = hello.d['authentication'] as { challenge: string; salt: string };
      const b64 = (x: string) => createHash('sha256').update(x).digest('base64');
      c.send({ op: 1, d: { rpcVersion: 1, authentication: b64(b64(password + a.salt) + a.challenge) } });
      const first = await Promise.race([c.next(2).then(() => 0), c.closed.then((x) => x.code)]);
      if (first === 0) c.ws.close();
      return { helloMs, code: first };
    };
    const free: number[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await attempt(`wrong-${i}`);
      expect(r.code).toBe(4009);
      free.push(r.helloMs);
    }
    const slowed = await attempt('wrong-10');
    expect(slowed.code).toBe(4009);
    const right = await attempt(PASSWORD);
    expect(right.code).toBe(0); // Identified
    const after = await attempt(PASSWORD);
    console.log(`[obsws] Hello after 0-9 wrong passwords: max ${Math.max(...free).toFixed(0)} ms; after 10: ${slowed.helloMs.toFixed(0)} ms; right password then ${right.helloMs.toFixed(0)} ms, next ${after.helloMs.toFixed(0)} ms`);
    expect(slowed.helloMs).toBeGreaterThanOrEqual(950);
    expect(Math.max(...free)).toBeLessThan(slowed.helloMs);
    expect(after.helloMs).toBeLessThan(950); // the right password cleared the count
  });

  it('the Settings dialog shows the address to paste and the connected client', async () => {
    await expect.poll(async () => (await api.getObsWebSocket()).clients.length, { timeout: 5000 }).toBe(1); // the test's obs-websocket-js client
    const me = (await api.getObsWebSocket()).clients[0];
    await page.getByTestId('open-settings').click();
    const section = page.getByTestId('obs-websocket');
    await section.waitFor();
    await expect.poll(() => section.getByTestId('obsws-url').allTextContents(), { timeout: 10_000 }).toEqual([url]);
    await expect.poll(() => section.getByTestId('obsws-client').allTextContents(), { timeout: 10_000 }).toEqual([expect.stringContaining(`${me?.address}:${me?.port}`)]);
    expect(me?.address).toBe('127.0.0.1');
    await page.keyboard.press('Escape');
  });

  it('StartStream to nginx-rtmp: frames at the far end, StreamStateChanged; a fuzz meanwhile leaves the stream and the engine going; StopStream', async () => {
    const far = `${inject('nginxRtmpUrl')}/${RTMP_KEY}`;
    const from = events.length;
    // Reads the whole stream: with idleMs it ends once no frame came for 5 s.
    let wholeDone = false;
    const whole = countFrames(far, { timeoutMs: 150_000, idleMs: 5000 }).finally(() => (wholeDone = true));
    await obs.call('StartStream');
    await expect.poll(() => since('StreamStateChanged', from).map((e) => e.data['outputState']), { timeout: 20_000 }).toEqual(['OBS_WEBSOCKET_OUTPUT_STARTING', 'OBS_WEBSOCKET_OUTPUT_STARTED']);
    expect((await obs.call('GetStreamStatus')).outputActive).toBe(true);
    // A late player waits for the next keyframe (up to 2 s of the 8 s media window go by first).
    const first: CountResult = await countFrames(far, { timeoutMs: 40_000, durationMs: 8000 });
    if (first.frames === 0) console.log('[obsws] no frames:', JSON.stringify(first), JSON.stringify(await api.getStats()), JSON.stringify((await api.getState()).video), open.studio.stdout().slice(-3000));
    expect([first.width, first.height]).toEqual([W, H]);
    expect(first.frames).toBeGreaterThanOrEqual(20);

    // Bounded fuzz while live. Left out: requests that legitimately stop the stream (Stop/Toggle
    // Stream, the tandem vendor's StopDestination), start another output, or sleep.
    const t0 = performance.now();
    const fuzz = await runFuzz(url, {
      total: 20_000,
      closing: 400,
      seed: 1515,
      excluded: ['StopStream', 'ToggleStream', 'CallVendorRequest', 'StartRecord', 'ToggleRecord', 'Sleep'],
      auth: PASSWORD,
      onMessage: (text) => {
        for (const s of [RTMP_KEY, WHIP_TOKEN, PASSWORD]) if (text.includes(s)) leaked.push(text.slice(0, 200));
      },
    });
    const fuzzMs = performance.now() - t0;
    const closes = [...fuzz.closeCounts.values()].reduce((a, b) => a + b, 0);
    console.log(`[obsws] fuzz while live: 20000 messages in ${(fuzzMs / 1000).toFixed(1)} s; ${fuzz.answered} answered (statuses ${formatCounts(fuzz.statusCounts)}); ${closes} closes (${formatCounts(fuzz.closeCounts)})`);
    expect(fuzz.problems).toEqual([]);
    expect(fuzz.answered + closes).toBe(20_000);

    // The far end never went 5 s without a frame, the engine is up and still live.
    expect(wholeDone).toBe(false);
    expect((await api.getState()).live).toBe(true);
    const after = await countFrames(far, { timeoutMs: 40_000, durationMs: 8000 });
    expect([after.width, after.height]).toEqual([W, H]);
    expect(after.frames).toBeGreaterThanOrEqual(20);
    expect((await obs.call('GetVersion')).rpcVersion).toBe(1);

    await obs.call('StopStream');
    await expect.poll(() => since('StreamStateChanged', from).map((e) => e.data['outputState']), { timeout: 20_000 }).toEqual([
      'OBS_WEBSOCKET_OUTPUT_STARTING',
      'OBS_WEBSOCKET_OUTPUT_STARTED',
      'OBS_WEBSOCKET_OUTPUT_STOPPING',
      'OBS_WEBSOCKET_OUTPUT_STOPPED',
    ]);
    expect((await obs.call('GetStreamStatus')).outputActive).toBe(false);
    const total = await whole;
    console.log(`[obsws] far end over the whole stream: ${total.frames} frames ${total.width}x${total.height}, ended by ${total.endedBy}; 8 s before the fuzz ${first.frames} (video ${first.firstVideoPtsSec}-${first.lastVideoPtsSec} s), 8 s after ${after.frames} (${after.firstVideoPtsSec}-${after.lastVideoPtsSec} s)`);
    expect(total.endedBy).toBe('idle');
    expect(total.frames).toBeGreaterThan(first.frames + after.frames);
  });

  it('no response or event carried the stream key, the WHIP token or the password', async () => {
    // Ask for everything that could: the destinations through the tandem vendor, their stats,
    // the stream status, the version and stats.
    const list = await obs.callAny('CallVendorRequest', { vendorName: 'tandem', requestType: 'ListDestinations' });
    expect(JSON.stringify(list)).toContain('Parked WHIP');
    await obs.call('GetStreamStatus');
    await obs.call('GetStats');
    const scanned = wire.length;
    for (const text of wire) for (const s of [RTMP_KEY, WHIP_TOKEN, PASSWORD]) if (text.includes(s)) leaked.push(text.slice(0, 200));
    console.log(`[obsws] scanned ${scanned} obs-websocket-js frames and every fuzz answer for the key, the token and the password: ${leaked.length} carried one`);
    expect(scanned).toBeGreaterThan(20);
    expect(leaked).toEqual([]);
  });
});
