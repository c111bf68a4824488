// Browser-mode media files: uploaded once, kept under the data folder, played back with Range
// requests; the token is required both ways, and nothing outside the folder can be asked for.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlServer, type ControlServer } from '../../../src/main/control/server';

let srv: ControlServer;
const dir = mkdtempSync(join(tmpdir(), 'tandem-media-files-'));
const base = (): string => `http://127.0.0.1:${srv.port}`;

beforeAll(async () => {
  srv = await startControlServer({ dispatch: async () => ({ ok: true, result: null }), events: { on: () => () => undefined }, mediaDir: dir });
});
afterAll(async () => srv.close());

async function upload(name: string, body: Uint8Array, token = srv.token): Promise<Response> {
  return fetch(`${base()}/media-files?token=${token}&name=${encodeURIComponent(name)}`, { method: 'POST', body });
}

describe('media files', () => {
  it('uploads a clip and plays it back whole and by byte range', async () => {
    const clip = new Uint8Array(10_000).map((_, i) => i & 0xff);
    const r = await upload('My Clip.MP4', clip);
    expect(r.status).toBe(201);
    const { src } = (await r.json()) as { src: string };
    expect(src).toMatch(/^tandem-media:[0-9a-f-]{36}\.mp4$/);
    const name = src.slice('tandem-media:'.length);
    expect(readdirSync(dir)).toEqual([name]); // no .part left behind
    const whole = await fetch(`${base()}/media-files/${name}?token=${srv.token}`);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('video/mp4');
    expect(new Uint8Array(await whole.arrayBuffer())).toEqual(clip);
    const part = await fetch(`${base()}/media-files/${name}?token=${srv.token}`, { headers: { Range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 100-199/10000');
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(clip.subarray(100, 200));
    const tail = await fetch(`${base()}/media-files/${name}?token=${srv.token}`, { headers: { Range: 'bytes=-10' } });
    expect(new Uint8Array(await tail.arrayBuffer())).toEqual(clip.subarray(9990));
    const past = await fetch(`${base()}/media-files/${name}?token=${srv.token}`, { headers: { Range: 'bytes=20000-' } });
    expect(past.status).toBe(416);
  });

  it('needs the token, takes only audio/video files, and serves nothing outside its folder', async () => {
    expect((await upload('a.mp4', new Uint8Array(10), 'wrong')).status).toBe(401);
    expect((await upload('notes.txt', new Uint8Array(10))).status).toBe(415);
    expect((await upload('noext', new Uint8Array(10))).status).toBe(415);
    for (const p of ['../../etc/passwd', '..%2F..%2Fetc%2Fpasswd', 'x.mp4']) {
      const r = await fetch(`${base()}/media-files/${p}?token=${srv.token}`);
      expect(r.status, p).toBe(404);
    }
    const r = await fetch(`${base()}/media-files/00000000-0000-0000-0000-000000000000.mp4`);
    expect(r.status).toBe(401);
  });
});
