// WhipOutput end to end on loopback against a werift receiver behind a node:http WHIP endpoint:
// offer munging on the wire, media arriving at presentation time, PLI/FIR → keyframeRequest,
// NACK answered from beyond werift's 128-packet history, DELETE on stop.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WhipOutput } from '../../../../src/main/outputs/whip/whip-output';
import { AuthError } from '../../../../src/shared/errors';
import { fakeOpus, h264ConfigFrom, splitAccessUnits, videoPacket } from './media-source';
import { startWeriftEndpoint, type WeriftEndpoint } from './werift-endpoint';

const FIXTURE = new URL('../../../fixtures/whip/testsrc-640x360-90f.h264', import.meta.url);
const units = splitAccessUnits(readFileSync(FIXTURE), true).units;
const config = h264ConfigFrom(units[0]!.data, 640, 360, 30);

let ep: WeriftEndpoint | undefined;
let out: WhipOutput | undefined;
afterEach(async () => {
  await out?.stop();
  await ep?.close();
  out = undefined;
  ep = undefined;
});

/** Feed `seconds` of the fixture (looped) in real time: video 30 fps, audio 20 ms. */
async function feed(o: WhipOutput, seconds: number, t0Us = 0): Promise<void> {
  const start = performance.now();
  let v = 0;
  let a = 0;
  while ((performance.now() - start) / 1000 < seconds) {
    const elapsedUs = (performance.now() - start) * 1000;
    while (v * 33_333 <= elapsedUs) {
      o.write(videoPacket(units[v % units.length]!, t0Us + v * 33_333));
      v++;
    }
    while (a * 20_000 <= elapsedUs) o.write(fakeOpus(t0Us + a++ * 20_000));
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('WhipOutput ↔ werift receiver (loopback)', () => {
  it('publishes: munged offer, media at presentation time, DELETE on stop', async () => {
    ep = await startWeriftEndpoint({ token: 'tok-abcdef-123' });
    out = new WhipOutput({ id: 'w1', url: ep.url, token: 'tok-abcdef-123', videoBitrateKbps: 2500 });
    const states: string[] = [];
    out.on('state', (s) => states.push(s));
    await out.start([config, { codec: 'opus', sampleRate: 48000, channels: 2 }]);
    const offer = ep.offer();
    expect(offer).toMatch(/a=rtcp-mux-only/);
    expect(offer).toMatch(/a=setup:actpass/);
    expect(offer).toMatch(/a=group:BUNDLE 0 1/);
    expect(offer).not.toMatch(/a=simulcast/);
    expect(offer).toMatch(/profile-level-id=42c01e/); // from the fixture's SPS
    const msids = [...offer.matchAll(/^a=msid:(\S+)/gm)].map((m) => m[1]);
    expect(new Set(msids).size).toBe(1);
    expect(msids.length).toBe(2);
    expect(offer).not.toMatch(/stun\.l\.google/);

    await feed(out, 2);
    const video = ep.rtp.filter((r) => r.kind === 'video');
    const audio = ep.rtp.filter((r) => r.kind === 'audio');
    expect(audio.length).toBeGreaterThan(70);
    expect(video.length).toBeGreaterThan(50);
    for (const r of video) expect(r.packet.payload.length).toBeLessThanOrEqual(1200);
    // Markers close access units: one marker per frame, frames ~33 ms apart at arrival.
    const markers = video.filter((r) => r.packet.header.marker);
    expect(markers.length).toBeGreaterThan(50);
    const gaps = markers.slice(1).map((m, i) => m.at - markers[i]!.at);
    const median = gaps.sort((x, y) => x - y)[Math.floor(gaps.length / 2)]!;
    expect(median).toBeGreaterThan(25);
    expect(median).toBeLessThan(42);
    const s = out.stats();
    expect(s.state).toBe('live');
    expect(s.framesSent).toBeGreaterThan(50);
    expect(s.bytesSent).toBeGreaterThan(50_000);
    expect(s.url).not.toContain('tok-abcdef-123');

    await out.stop();
    await out.stop();
    expect(states).toEqual(['connecting', 'live', 'stopping', 'stopped']);
    const del = ep.requests.filter((r) => r.method === 'DELETE');
    expect(del.length).toBe(1);
    expect(del[0]!.headers.authorization).toBe('Bearer tok-abcdef-123');
    expect(del[0]!.path).toBe('/whip/resource/1');
  });

  it('a wrong token fails start() with an AuthError naming 401, without the token', async () => {
    ep = await startWeriftEndpoint({ token: 'right-token-xyz' });
    out = new WhipOutput({ id: 'w2', url: ep.url, token: 'wrong-token-abc', videoBitrateKbps: 2500 });
    const err = await out.start([config]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as Error).message).toMatch(/401/);
    expect((err as Error).message).not.toContain('wrong-token-abc');
    expect(out.stats().state).toBe('failed');
  });

  it('PLI and FIR each become a keyframeRequest event (the encoder group rate-limits)', async () => {
    ep = await startWeriftEndpoint();
    out = new WhipOutput({ id: 'w3', url: ep.url, videoBitrateKbps: 2500 });
    const requests: number[] = [];
    out.on('keyframeRequest', () => requests.push(performance.now()));
    await out.start([config]);
    const feeding = feed(out, 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(requests.length).toBe(0); // going live is the pipeline's business, not a request
    const t0 = performance.now();
    ep.sendPli();
    await vi.waitFor(() => expect(requests.length).toBe(1), { timeout: 2000, interval: 10 });
    expect(requests[0]! - t0).toBeLessThan(100);
    ep.sendPli();
    await ep.sendFir();
    await vi.waitFor(() => expect(requests.length).toBe(3), { timeout: 2000, interval: 10 });
    await feeding;
    const s = out.stats();
    expect(s.plis).toBe(2);
    expect(s.firs).toBe(1);
  });

  it('answers NACKs for packets older than werift’s 128-packet history', async () => {
    ep = await startWeriftEndpoint();
    // This stream makes ~40 packets/s: 180 packets back is ~4 s, past the default 1.5 s history.
    out = new WhipOutput({ id: 'w4', url: ep.url, videoBitrateKbps: 2500, nackHistoryMs: 10_000 });
    await out.start([config]);
    await feed(out, 6); // small NAL units travel aggregated (STAP-A): 6 s gives well over 180 packets
    const video = ep.rtp.filter((r) => r.kind === 'video');
    expect(video.length).toBeGreaterThan(200);
    const newest = video[video.length - 1]!.packet.header.sequenceNumber;
    const old = (newest - 180 + 0x10000) & 0xffff; // ≥128 back: werift alone would not have it
    const recent = (newest - 10 + 0x10000) & 0xffff;
    const before = ep.rtp.length;
    await ep.sendNack([old, recent]);
    // Poll rather than sleep a fixed time: on a loaded machine the round trip can take longer.
    const resentSeqs = () => ep!.rtp.slice(before).map((r) => r.packet.header.sequenceNumber);
    await vi.waitFor(() => expect(resentSeqs()).toEqual(expect.arrayContaining([old, recent])), { timeout: 5000, interval: 50 });
    const s = out.stats();
    expect(s.nacks).toBe(1);
    expect(s.retransmits).toBe(2);
  });
});

describe('ICE restart (RFC 9725 §4.3.2) against the werift receiver', () => {
  // Media after a restart is checked against Chromium (test/integration/whip-chromium.test.ts):
  // a restarted werift *answerer* keeps dropping the publisher's new path, so here only the
  // signalling is checked.
  it('PATCHes new ICE credentials with If-Match "*" and applies the answer fragment', async () => {
    ep = await startWeriftEndpoint({ patch: 'restart' });
    out = new WhipOutput({ id: 'r1', url: ep.url, videoBitrateKbps: 2500 });
    const states: string[] = [];
    out.on('state', (s) => states.push(s));
    await out.start([config]);
    const oldUfrag = /a=ice-ufrag:(\S+)/.exec(ep.offer())![1];
    const oldAnswerUfrag = /a=ice-ufrag:(\S+)/.exec(ep.answer())![1];
    expect(await out.restartIce()).toBe(true);
    const patch = ep.requests.find((r) => r.method === 'PATCH')!;
    expect(patch.headers['if-match']).toBe('"*"');
    expect(patch.headers['content-type']).toBe('application/trickle-ice-sdpfrag');
    expect(patch.path).toBe('/whip/resource/1');
    expect(patch.body.match(/^m=/gm)?.length).toBe(1);
    const newUfrag = /a=ice-ufrag:(\S+)/.exec(patch.body)![1];
    expect(newUfrag).not.toBe(oldUfrag);
    expect(/a=ice-ufrag:(\S+)/.exec(ep.answer())![1]).not.toBe(oldAnswerUfrag);
    expect(out.stats().state).toBe('live');
    expect(out.stats().reconnects).toBe(1);
    expect(states).toEqual(['connecting', 'live', 'reconnecting', 'live']);
  });

  it('a failed restart DELETEs the old session and POSTs a new one after the reconnect delay', async () => {
    ep = await startWeriftEndpoint({ patch: 'reject' });
    out = new WhipOutput({ id: 'r2', url: ep.url, videoBitrateKbps: 2500, reconnect: { firstDelayMs: 300, random: () => 0 } });
    const states: [string, number | undefined][] = [];
    out.on('state', (s, d) => states.push([s, d.delayMs]));
    await out.start([config]);
    expect(await out.restartIce()).toBe(false);
    expect(out.stats().state).toBe('reconnecting');
    await vi.waitFor(() => expect(out!.stats().state).toBe('live'), { timeout: 8000, interval: 50 });
    expect(ep.requests.map((r) => r.method)).toEqual(['POST', 'PATCH', 'DELETE', 'POST']);
    expect(states.map(([s]) => s)).toEqual(['connecting', 'live', 'reconnecting', 'reconnecting', 'live']);
    expect(states[3]![1]).toBe(300); // the backoff's first delay
    expect(out.stats().reconnects).toBe(1);
  });
});

describe('Link ice-servers (RFC 9725 §4.6) rescue a first connection that fails', () => {
  it('restarts ICE once with the server’s STUN/TURN before giving up', async () => {
    ep = await startWeriftEndpoint({ patch: 'restart', blockIceUntilRestart: true, link: '<stun:127.0.0.1:9>; rel="ice-server"' });
    out = new WhipOutput({ id: 'l1', url: ep.url, videoBitrateKbps: 1000, connectTimeoutMs: 1500, iceStunGatherTimeoutSec: 1 });
    await out.start([config]);
    expect(out.stats().state).toBe('live');
    expect(ep.requests.map((r) => r.method)).toEqual(['POST', 'PATCH']);
    expect(ep.requests[1]!.headers['if-match']).toBe('"*"');
  });

  it('without Link servers a failed first connection DELETEs; with reconnects off, start() fails', async () => {
    ep = await startWeriftEndpoint({ patch: 'restart', blockIceUntilRestart: true });
    out = new WhipOutput({ id: 'l2', url: ep.url, videoBitrateKbps: 1000, connectTimeoutMs: 1500, reconnect: { enabled: false } });
    await expect(out.start([config])).rejects.toMatchObject({ code: 'connection-timeout' });
    expect(ep.requests.map((r) => r.method)).toEqual(['POST', 'DELETE']);
  });

  it('a first connection that fails is retried with a fresh POST', async () => {
    ep = await startWeriftEndpoint({ patch: 'restart', blockIceUntilRestart: true });
    out = new WhipOutput({ id: 'l3', url: ep.url, videoBitrateKbps: 1000, connectTimeoutMs: 800, reconnect: { firstDelayMs: 200, random: () => 0 } });
    const states: string[] = [];
    out.on('state', (s) => states.push(s));
    void out.start([config]).catch(() => undefined);
    await vi.waitFor(() => expect(ep!.requests.filter((r) => r.method === 'POST').length).toBeGreaterThanOrEqual(2), { timeout: 8000, interval: 50 });
    expect(states.slice(0, 2)).toEqual(['connecting', 'reconnecting']);
    expect(ep.requests.slice(0, 3).map((r) => r.method)).toEqual(['POST', 'DELETE', 'POST']);
  });
});
