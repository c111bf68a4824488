// Bad input from servers (DESIGN.md habit 5): an RTMP or WHIP server that answers garbage, closes
// mid-handshake, or never answers gives a typed error naming the destination (redacted: never
// the key or token) within the connect timeout, is retried as a drop (reconnecting, never failed),
// and never holds up the other destinations: one MediaSession (the `tandem publish` pipeline,
// testsrc) feeds six misbehaving servers of ours and a real nginx-rtmp destination, which goes
// live at once and keeps delivering what the far end decodes.
import { afterAll, describe, expect, it } from 'vitest';
import { MediaSession } from '../../src/main/pipeline/media-session';
import { resolveFfmpeg } from '../../src/main/encoder/ffmpeg-path';
import { RtmpOutput } from '../../src/main/outputs/rtmp/rtmp-output';
import { WhipOutput } from '../../src/main/outputs/whip/whip-output';
import type { Output } from '../../src/main/outputs/output';
import { TandemError, type ErrorCode } from '../../src/shared/errors';
import type { OutputState } from '../../src/shared/stats';
import { sharedPeers, uniqueKey } from '../peers/shared';
import { countFrames } from '../peers/ffprobe';
import { sleep } from '../peers/ports';
import { startBadHttpServer, startBadRtmpServer, type BadServer, type Misbehaviour } from '../helpers/bad-servers';

const CONNECT_TIMEOUT_MS = 2000;
const KEY = 'sk-live-0123456789abcdef';
const TOKEN = 'whip-token-0123456789abcdef';
const KINDS: Misbehaviour[] = ['garbage', 'close', 'hang'];

interface Watched {
  name: string;
  server: BadServer;
  output: Output;
  states: { state: OutputState; at: number; error?: TandemError }[];
  expected: readonly ErrorCode[];
}

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

describe('misbehaving servers next to a good one', () => {
  it('typed errors within the connect timeout, retried as drops, the nginx destination unaffected', async () => {
    const ff = await resolveFfmpeg();
    const session = new MediaSession({
      ffmpegPath: ff.path,
      video: { width: 640, height: 360, fps: 30, videoBitrateKbps: 800, audioBitrateKbps: 64, keyintSec: 1, profile: 'baseline', encoder: 'libx264' },
      source: { kind: 'native', source: { kind: 'testsrc' }, codecs: ['aac', 'opus'] },
    });
    cleanups.push(() => session.close());
    const t0 = Date.now();
    const watched: Watched[] = [];
    const watch = (name: string, server: BadServer, output: Output, expected: readonly ErrorCode[]): void => {
      const w: Watched = { name, server, output, states: [], expected };
      output.on('state', (state, d) => w.states.push({ state, at: Date.now() - t0, ...(d.error ? { error: d.error } : {}) }));
      watched.push(w);
    };
    // What each misbehaviour should be called (src/shared/errors.ts).
    const rtmpCodes: Record<Misbehaviour, readonly ErrorCode[]> = { garbage: ['protocol-violation'], close: ['connection-closed'], hang: ['connection-timeout'] };
    const whipCodes: Record<Misbehaviour, readonly ErrorCode[]> = { garbage: ['protocol-violation', 'connection-closed'], close: ['connection-closed'], hang: ['connection-timeout'] };
    for (const kind of KINDS) {
      const rtmp = await startBadRtmpServer(kind);
      const whip = await startBadHttpServer(kind);
      cleanups.push(() => rtmp.close(), () => whip.close());
      const ro = new RtmpOutput({ id: `rtmp-${kind}`, url: `rtmp://127.0.0.1:${rtmp.port}/live/${KEY}`, connectTimeoutMs: CONNECT_TIMEOUT_MS });
      const wo = new WhipOutput({ id: `whip-${kind}`, url: `http://127.0.0.1:${whip.port}/whip/endpoint/x`, token: TOKEN, videoBitrateKbps: 800, httpTimeoutMs: CONNECT_TIMEOUT_MS });
      watch(`RTMP ${kind}`, rtmp, ro, rtmpCodes[kind]);
      watch(`WHIP ${kind}`, whip, wo, whipCodes[kind]);
    }
    const key = uniqueKey('beside-bad');
    const good = new RtmpOutput({ id: 'nginx', url: sharedPeers().nginx.url(key) });
    const goodStates: OutputState[] = [];
    good.on('state', (s) => goodStates.push(s));
    const reader = countFrames(sharedPeers().nginx.url(key), { timeoutMs: 20_000, durationMs: 8000 });
    for (const w of watched) session.addOutput(w.output.id, w.output, { codecs: w.name.startsWith('RTMP') ? ['h264', 'aac'] : ['h264', 'opus'] });
    session.addOutput('nginx', good, { codecs: ['h264', 'aac'] });

    // Two full rounds: every server has seen a second attempt.
    await sleep(2 * CONNECT_TIMEOUT_MS + 2000 + 1500);
    const far = await reader;
    const report = watched.map((w) => {
      const first = w.states.find((s) => s.state === 'reconnecting');
      const began = w.states.find((s) => s.state === 'connecting');
      return { name: w.name, accepts: w.server.accepts, firstDropMs: first && began ? first.at - began.at : undefined, code: first?.error?.code, message: first?.error?.message, states: w.states.map((s) => s.state).join(' ') };
    });
    console.log('bad servers', JSON.stringify({ report, nginx: { states: goodStates, framesDecoded: far.frames, size: `${far.width}x${far.height}`, connectMs: good.stats().connectTimeMs } }, null, 1));

    for (const w of watched) {
      const first = w.states.find((s) => s.state === 'reconnecting');
      expect(first, `${w.name}: reconnecting`).toBeDefined();
      const err = first!.error;
      expect(err, `${w.name}: a typed error`).toBeInstanceOf(TandemError);
      expect(w.expected, `${w.name}: ${err!.code}: ${err!.message}`).toContain(err!.code);
      expect(err!.target, `${w.name}: names the destination`).toBe(w.output.stats().url);
      expect(err!.message, `${w.name}: the message names it`).toContain(`127.0.0.1:${w.server.port}`);
      expect(err!.message).not.toContain(KEY);
      expect(err!.message).not.toContain(TOKEN);
      // From the attempt's start; WHIP's includes creating the offer (werift gathers first).
      const began = w.states.find((s) => s.state === 'connecting')!;
      expect(first!.at - began.at, `${w.name}: within the connect timeout`).toBeLessThanOrEqual(CONNECT_TIMEOUT_MS + 1500);
      expect(w.states.map((s) => s.state), `${w.name}: never failed`).not.toContain('failed');
      expect(w.server.accepts, `${w.name}: retried`).toBeGreaterThanOrEqual(2);
    }
    expect(goodStates).toEqual(['connecting', 'live']);
    // Not held up by the servers that hang until the connect timeout (a serialised connect would
    // take longer than that); 0.1-0.3 s on an idle machine, 1.6 s seen at load 10.
    expect(good.stats().connectTimeMs).toBeLessThan(CONNECT_TIMEOUT_MS);
    expect(far.frames, 'the far end of nginx decodes ~8 s at 30 fps').toBeGreaterThanOrEqual(200);
    expect([far.width, far.height]).toEqual([640, 360]);
  });
});
