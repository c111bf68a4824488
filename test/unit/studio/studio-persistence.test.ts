// Destinations survive a restart of the engine; their keys are kept encrypted, never in clear.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Studio } from '../../../src/main/studio/studio';
import { EncryptedFileSecretStore } from '../../../src/main/studio/secret-store';

describe('Studio persistence', () => {
  it('restores destinations and their keys after a restart, without writing a key in clear', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-persist-'));
    const key = 'live_persist_0123456789_SECRET';
    const a = new Studio({ mode: 'browser', dataDir: dir, secrets: new EncryptedFileSecretStore(dir) });
    await a.load();
    const d = await a.addDestination({ name: 'Twitch', protocol: 'rtmp', url: 'rtmp://live.twitch.tv/app', secret: key });
    await a.sceneOp({ op: 'renameScene', sceneId: 'scene-main', name: 'Opening' });
    await a.close();
    for (const f of readdirSync(dir)) expect(readFileSync(join(dir, f)).toString('latin1')).not.toContain(key);

    const b = new Studio({ mode: 'browser', dataDir: dir, secrets: new EncryptedFileSecretStore(dir) });
    await b.load();
    expect(b.loadProblem).toBeUndefined();
    const state = b.getState();
    expect(state.destinations).toEqual([expect.objectContaining({ id: d.id, name: 'Twitch', url: 'rtmp://live.twitch.tv/app', secretMasked: '****CRET', hasSecret: true })]);
    expect(b.secretOf(d.id)).toBe(key);
    expect(state.sceneDoc.scenes[0]?.name).toBe('Opening');
    expect(state.secretStorage).toBe('encrypted-file');
    await b.removeDestination({ id: d.id });
    await b.close();

    const c = new Studio({ mode: 'browser', dataDir: dir, secrets: new EncryptedFileSecretStore(dir) });
    await c.load();
    expect(c.getState().destinations).toEqual([]);
    await c.close();
  });

  it('keeps the per-destination options: own video bitrate, the RTMPS certificate opt-out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-persist-'));
    const a = new Studio({ mode: 'browser', dataDir: dir, secrets: new EncryptedFileSecretStore(dir) });
    await a.load();
    const lab = await a.addDestination({ name: 'Lab', protocol: 'rtmps', url: 'rtmps://lab.example:4443/live', secret: 'k', allowUntrustedCertificate: true, videoBitrateKbps: 1800 });
    const plain = await a.addDestination({ name: 'Plain', protocol: 'rtmps', url: 'rtmps://live.example/app', secret: 'k2' });
    await a.close();
    const b = new Studio({ mode: 'browser', dataDir: dir, secrets: new EncryptedFileSecretStore(dir) });
    await b.load();
    expect(b.loadProblem).toBeUndefined();
    const ds = b.listDestinations();
    expect(ds.find((d) => d.id === lab.id)).toMatchObject({ allowUntrustedCertificate: true, videoBitrateKbps: 1800 });
    expect(ds.find((d) => d.id === plain.id)?.allowUntrustedCertificate).toBeUndefined();
    expect(ds.find((d) => d.id === plain.id)?.videoBitrateKbps).toBeUndefined();
    await b.close();
  });
});
