import { describe, expect, it } from 'vitest';
import presetsJson from '../../../resources/presets.json';
import { PRESETS, PresetFileError, fillTemplate, isCustomPreset, presetById, templatePlaceholders, validatePresets, type Preset } from '../../../src/shared/presets';
import { ProtocolSchema } from '../../../src/shared/api';
import { InputError } from '../../../src/shared/errors';
import { parseRtmpUrl } from '../../../src/main/protocol/rtmp/url';
import { validateDestinationUrl } from '../../../src/main/studio/destinations';

/** Every URL a preset can produce, with its template filled with plausible values. */
function urlsOf(p: Preset): string[] {
  if (p.urlTemplate !== undefined) {
    const values = Object.fromEntries(templatePlaceholders(p.urlTemplate).map((n) => [n, n === 'host' || n.endsWith('-host') ? 'ingest.example.com' : 'abc123']));
    return [fillTemplate(p.urlTemplate, values)];
  }
  return p.servers.map((s) => s.url);
}

const clone = (): Record<string, unknown>[] => structuredClone(presetsJson) as Record<string, unknown>[];

describe('shipped presets', () => {
  it('validate, and PRESETS holds every entry with unique ids', () => {
    const res = validatePresets(presetsJson);
    expect(res.ok ? [] : res.errors).toEqual([]);
    expect(PRESETS.length).toBe(presetsJson.length);
    expect(new Set(PRESETS.map((p) => p.id)).size).toBe(PRESETS.length);
  });

  it('cover the services and protocols asked for', () => {
    for (const id of ['twitch', 'twitch-rtmps', 'youtube', 'facebook', 'kick', 'bilibili', 'huya', 'douyin', 'custom-rtmp']) {
      expect(presetById(id)?.protocol, id).toMatch(/^rtmps?$/);
    }
    for (const id of ['cloudflare-stream', 'livekit', 'dolby-optiview', 'janus', 'srs', 'mediamtx', 'custom-whip']) {
      expect(presetById(id)?.protocol, id).toBe('whip');
    }
    expect(presetById('nope')).toBeUndefined();
    for (const p of PRESETS) expect(ProtocolSchema.options).toContain(p.protocol);
  });

  it('every RTMP/RTMPS URL parses with the RTMP parser (templates filled) and passes the destination check', () => {
    for (const p of PRESETS.filter((x) => x.protocol !== 'whip')) {
      for (const url of urlsOf(p)) {
        const target = parseRtmpUrl(url, 'test-key_123');
        expect(target.secure, url).toBe(p.protocol === 'rtmps');
        expect(target.app.length, url).toBeGreaterThan(0);
        expect(target.streamKey).toBe('test-key_123');
        expect(() => validateDestinationUrl(p.protocol, url)).not.toThrow();
      }
    }
    expect(parseRtmpUrl('rtmps://a.rtmps.youtube.com:443/live2?backup=1', 'k').port).toBe(443);
  });

  it('every WHIP URL is http(s) and passes the destination check', () => {
    for (const p of PRESETS.filter((x) => x.protocol === 'whip')) {
      for (const url of urlsOf(p)) {
        expect(new URL(url).protocol, url).toMatch(/^https?:$/);
        expect(() => validateDestinationUrl('whip', url)).not.toThrow();
      }
    }
  });

  it('label secrets by protocol, require them where the service does, and have both hint languages', () => {
    for (const p of PRESETS) {
      expect(p.secretLabel).toBe(p.protocol === 'whip' ? 'Bearer token' : 'Stream key');
      expect(p.hint.en.length).toBeGreaterThan(10);
      expect(p.hint['zh-CN']).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(presetById('livekit')?.secretRequired).toBe(true);
    expect(presetById('dolby-optiview')?.secretRequired).toBe(true);
    expect(presetById('cloudflare-stream')?.secretRequired).toBe(false);
    expect(presetById('twitch')?.secretRequired).toBe(true);
  });

  it('per-account ingests are templates; custom presets have neither servers nor template', () => {
    for (const id of ['kick', 'douyin', 'cloudflare-stream', 'livekit', 'dolby-optiview', 'janus', 'srs', 'mediamtx']) {
      const p = presetById(id);
      expect(p?.urlTemplate, id).toMatch(/<[a-z-]+>/);
      expect(p?.servers, id).toEqual([]);
    }
    expect(PRESETS.filter(isCustomPreset).map((p) => p.id).sort()).toEqual(['custom-rtmp', 'custom-rtmps', 'custom-whip']);
  });
});

describe('fillTemplate', () => {
  it('fills every placeholder, trimming values', () => {
    expect(fillTemplate('https://<project>.whip.livekit.cloud/w', { project: ' my-proj ' })).toBe('https://my-proj.whip.livekit.cloud/w');
    expect(fillTemplate('http://<host>:1985/rtc/v1/whip/?app=live&stream=<stream>', { host: '10.0.0.2', stream: 'cam1' })).toBe(
      'http://10.0.0.2:1985/rtc/v1/whip/?app=live&stream=cam1',
    );
    expect(fillTemplate('rtmp://h/app', {})).toBe('rtmp://h/app');
    expect(templatePlaceholders('a<x>b<y>c<x>')).toEqual(['x', 'y']);
  });

  it('refuses unfilled placeholders, naming them', () => {
    const tmpl = 'https://customer-<customer-code>.cloudflarestream.com/<key>/webRTC/publish';
    const err = (() => {
      try {
        fillTemplate(tmpl, { key: 'k', 'customer-code': '  ' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).code).toBe('invalid-url');
    expect((err as InputError).message).toContain('<customer-code>');
    expect((err as InputError).message).not.toContain('<key>');
    expect(() => fillTemplate(tmpl, {})).toThrow(/<customer-code>, <key>/);
  });

  it('refuses values that would break the URL', () => {
    expect(() => fillTemplate('http://<host>/x', { host: 'a b' })).toThrow(InputError);
    expect(() => fillTemplate('http://<host>/x', { host: '<host>' })).toThrow(/<host>/);
  });
});

describe('validatePresets on bad files', () => {
  const errorsOf = (json: unknown) => {
    const res = validatePresets(json);
    if (res.ok) throw new Error('expected errors');
    return res.errors;
  };

  it('names the field and the preset', () => {
    const bad = clone();
    (bad[2] as { servers: { url: string }[] }).servers[0]!.url = 'http://a.rtmps.youtube.com/live2';
    const errors = errorsOf(bad);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ path: '[2].servers[0].url', presetId: 'youtube' });
    expect(errors[0]?.message).toMatch(/rtmps:\/\//);
  });

  it('reports wrong types, unknown protocols, missing and extra fields', () => {
    const bad = clone();
    bad[0]!.protocol = 'srt';
    delete bad[1]!.hint;
    bad[3]!.secretRequired = 'yes';
    bad[4]!.colour = 'red';
    const paths = errorsOf(bad).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['[0].protocol', '[1].hint', '[3].secretRequired']));
    expect(paths.some((p) => p.startsWith('[4]'))).toBe(true);
  });

  it('catches cross-field mistakes', () => {
    const bad = clone();
    bad[1]!.id = 'twitch'; // duplicate
    bad[5]!.secretLabel = 'Bearer token'; // RTMP preset
    bad[10]!.urlTemplate = 'https://fixed.example.com/whip'; // template without placeholders
    const byPath = new Map(errorsOf(bad).map((e) => [e.path, e.message]));
    expect(byPath.get('[1].id')).toMatch(/duplicate/);
    expect(byPath.get('[5].secretLabel')).toMatch(/Stream key/);
    expect(byPath.get('[10].urlTemplate')).toMatch(/placeholder/);
  });

  it('rejects a non-array and gives a typed error for a bad shipped file', () => {
    expect(errorsOf({ presets: [] })[0]?.path).toBe('');
    const e = new PresetFileError(errorsOf([{ id: 'X' }]));
    expect(e.code).toBe('invalid-file');
    expect(e.message).toMatch(/^invalid presets file: \[0\]\.id/);
    expect(e.issues.length).toBeGreaterThan(1);
  });
});
