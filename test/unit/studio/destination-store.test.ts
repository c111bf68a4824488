import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DestinationStore, type StoredDestination } from '../../../src/main/studio/destination-store';
import { createRecord } from '../../../src/main/studio/destinations';
import { TandemError } from '../../../src/shared/errors';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tandem-dests-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const twitch: StoredDestination = { id: 'd1', name: 'Twitch', protocol: 'rtmp', url: 'rtmp://live.twitch.tv/app', enabled: true, presetId: 'twitch' };
const whip: StoredDestination = { id: 'd2', name: 'Janus', protocol: 'whip', url: 'http://10.0.0.2:7080/whip/endpoint/abc', enabled: false };

describe('DestinationStore', () => {
  it('returns an empty list, without a problem, when nothing was saved', async () => {
    expect(await new DestinationStore(dir).load()).toEqual({ destinations: [] });
  });

  it('round-trips records, keeping presetId only where set', async () => {
    const store = new DestinationStore(dir);
    await store.save([twitch, whip]);
    const res = await new DestinationStore(dir).load();
    expect(res.problem).toBeUndefined();
    expect(res.destinations).toEqual([twitch, whip]);
    expect('presetId' in (res.destinations[1] ?? {})).toBe(false);
  });

  it('never writes secrets or runtime state, even when handed full records', async () => {
    const rec = createRecord({ name: 'YouTube', protocol: 'rtmps', url: 'rtmps://a.rtmps.youtube.com:443/live2', secret: 'abcd-efgh-ijkl-mnop-SECRET' });
    rec.error = { code: 'auth-rejected', message: 'bad key' };
    await new DestinationStore(dir).save([rec]);
    const text = await readFile(join(dir, 'destinations.json'), 'utf8');
    expect(text).not.toContain('SECRET');
    expect(text).not.toContain('secret');
    expect(text).not.toContain('state');
    expect(text).not.toContain('auth-rejected');
    const loaded = await new DestinationStore(dir).load();
    expect(loaded.destinations).toEqual([{ id: rec.id, name: 'YouTube', protocol: 'rtmps', url: rec.url, enabled: true }]);
  });

  it.runIf(process.platform !== 'win32')('writes atomically at mode 0600, leaving no temp files', async () => {
    const store = new DestinationStore(dir);
    await Promise.all([store.save([twitch]), store.save([twitch, whip]), store.save([whip])]);
    expect((await stat(join(dir, 'destinations.json'))).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['destinations.json']);
    expect((await store.load()).destinations).toEqual([whip]); // the last save wins
  });

  it('refuses to save an invalid record with a typed error', async () => {
    const store = new DestinationStore(dir);
    const bad = { ...twitch, url: 'http://not-rtmp.example/app' };
    await expect(store.save([bad])).rejects.toBeInstanceOf(TandemError);
    await expect(store.save([twitch, { ...whip, id: 'd1' }])).rejects.toThrow(/duplicate id/);
    expect(await readdir(dir)).toEqual([]);
  });

  it.each([
    ['not JSON', '{"version":1,'],
    ['the wrong version', JSON.stringify({ version: 2, destinations: [] })],
    ['a bad protocol', JSON.stringify({ version: 1, destinations: [{ ...twitch, protocol: 'srt' }] })],
    ['a URL that does not fit the protocol', JSON.stringify({ version: 1, destinations: [{ ...whip, url: 'rtmp://x/app' }] })],
    ['a secret field', JSON.stringify({ version: 1, destinations: [{ ...twitch, secret: 'k' }] })],
    ['duplicate ids', JSON.stringify({ version: 1, destinations: [twitch, { ...whip, id: 'd1' }] })],
    ['a bare array', JSON.stringify([twitch])],
  ])('moves a damaged file aside (%s) and returns an empty list with a problem', async (_why, text) => {
    const file = join(dir, 'destinations.json');
    await writeFile(file, text);
    const res = await new DestinationStore(dir).load();
    expect(res.destinations).toEqual([]);
    expect(res.problem).toMatch(/damaged .*moved to .*destinations\.json\.damaged-\d+/);
    const names = await readdir(dir);
    expect(names).not.toContain('destinations.json');
    const aside = names.find((n) => n.startsWith('destinations.json.damaged-'));
    expect(aside).toBeDefined();
    expect(await readFile(join(dir, aside ?? ''), 'utf8')).toBe(text); // kept for the user
  });

  it('names the field that made the file damaged', async () => {
    await writeFile(join(dir, 'destinations.json'), JSON.stringify({ version: 1, destinations: [twitch, { ...whip, enabled: 'yes' }] }));
    expect((await new DestinationStore(dir).load()).problem).toContain('destinations[1].enabled');
  });
});
