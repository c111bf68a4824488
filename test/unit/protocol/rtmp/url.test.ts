import { describe, expect, it } from 'vitest';
import { parseRtmpUrl } from '../../../../src/main/protocol/rtmp/url';
import { InputError } from '../../../../src/shared/errors';

describe('parseRtmpUrl', () => {
  it('full URL: rtmp://host/app/key with the default port', () => {
    expect(parseRtmpUrl('rtmp://live.example.com/live/abcdef123456')).toEqual({
      secure: false, host: 'live.example.com', port: 1935, app: 'live', tcUrl: 'rtmp://live.example.com/live',
      streamKey: 'abcdef123456', redacted: 'rtmp://live.example.com/live/****',
    });
  });
  it('rtmps defaults to 443; explicit ports are kept in tcUrl', () => {
    const t = parseRtmpUrl('rtmps://a.example.com/app/k1');
    expect([t.secure, t.port, t.tcUrl]).toEqual([true, 443, 'rtmps://a.example.com/app']);
    const u = parseRtmpUrl('RTMP://127.0.0.1:19350/app/k1');
    expect([u.port, u.tcUrl, u.host]).toEqual([19350, 'rtmp://127.0.0.1:19350/app', '127.0.0.1']);
  });
  it('app/instance/key', () => {
    const t = parseRtmpUrl('rtmp://h/app/inst/key');
    expect([t.app, t.streamKey, t.tcUrl]).toEqual(['app/inst', 'key', 'rtmp://h/app/inst']);
  });
  it('OBS split: server URL + stream key (trailing slash tolerated)', () => {
    const t = parseRtmpUrl('rtmp://a.rtmp.youtube.com/live2/', 'xxxx-yyyy-zzzz-wwww');
    expect([t.app, t.streamKey, t.tcUrl, t.redacted]).toEqual(['live2', 'xxxx-yyyy-zzzz-wwww', 'rtmp://a.rtmp.youtube.com/live2', 'rtmp://a.rtmp.youtube.com/live2/****']);
    const u = parseRtmpUrl('rtmp://h/app/inst', ' key ');
    expect([u.app, u.streamKey]).toEqual(['app/inst', 'key']);
  });
  it('keeps query strings in the app part and in the key', () => {
    const t = parseRtmpUrl('rtmp://h/app?token=abc/key');
    expect([t.app, t.streamKey, t.tcUrl]).toEqual(['app?token=abc', 'key', 'rtmp://h/app?token=abc']);
    expect(t.redacted).not.toContain('abc');
    expect(t.redacted).not.toContain('key');
    const u = parseRtmpUrl('rtmp://h/app?vhost=x', 'live_1?bandwidthtest=true');
    expect([u.app, u.streamKey]).toEqual(['app?vhost=x', 'live_1?bandwidthtest=true']);
    const v = parseRtmpUrl('rtmp://h/app/live_1?bandwidthtest=true');
    expect([v.app, v.streamKey]).toEqual(['app', 'live_1?bandwidthtest=true']);
    expect(v.redacted).not.toContain('live_1');
  });
  it('IPv6 literals', () => {
    const t = parseRtmpUrl('rtmp://[::1]:1936/live/k');
    expect([t.host, t.port, t.tcUrl]).toEqual(['::1', 1936, 'rtmp://[::1]:1936/live']);
    expect(parseRtmpUrl('rtmps://[2001:db8::5]/live/k').port).toBe(443);
    expect(t.redacted).toBe('rtmp://[::1]:1936/live/****');
  });
  it.each([
    ['http://h/app/key', 'invalid-url'],
    ['rtmp:///app/key', 'invalid-url'],
    ['rtmp://h:0/app/key', 'invalid-url'],
    ['rtmp://h:99999/app/key', 'invalid-url'],
    ['rtmp://::1/app/key', 'invalid-url'],
    ['rtmp://[::1/app/key', 'invalid-url'],
    ['rtmp://u:p@h/app/key', 'invalid-url'],
    ['rtmp://h/', 'invalid-url'],
    ['rtmp://h/app', 'invalid-key'],
    ['rtmp://h/app/', 'invalid-key'],
  ])('%s → %s', (url, code) => {
    try {
      parseRtmpUrl(url);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).code).toBe(code);
    }
  });
  it('errors never echo the key', () => {
    try {
      parseRtmpUrl('rtmp://h:x/app/SUPERSECRET');
    } catch (e) {
      expect((e as Error).message).not.toContain('SUPERSECRET');
    }
  });
});
