import { describe, expect, it } from 'vitest';
import { maskSecret, redactText, redactUrl } from '../../../src/shared/redact';

describe('redaction', () => {
  it('masks stream keys in RTMP URLs and keeps the app', () => {
    expect(redactUrl('rtmp://live.twitch.tv/app/live_1234_secretkey')).toBe('rtmp://live.twitch.tv/app/****');
    expect(redactUrl('rtmps://a.rtmp.youtube.com:443/live2/abcd-efgh-ijkl')).toBe('rtmps://a.rtmp.youtube.com:443/live2/****');
    expect(redactUrl('rtmp://h/app/inst/key?x=1')).toBe('rtmp://h/app/inst/****?x=****');
  });
  it('masks userinfo and query values in WHIP URLs', () => {
    const r = redactUrl('https://user:pw@whip.example/endpoint?token=abc');
    expect(r).not.toContain('pw');
    expect(r).not.toContain('abc');
    expect(r).toContain('whip.example/endpoint');
  });
  it('masks unparseable input whole and short secrets whole', () => {
    expect(redactUrl('::not a url with secret')).toBe('****');
    expect(maskSecret('abc')).toBe('****');
    expect(maskSecret('')).toBe('');
    expect(maskSecret('0123456789')).toBe('****6789');
  });
  it('removes secrets from free text', () => {
    expect(redactText('publish live_1234 failed', ['live_1234'])).toBe('publish **** failed');
  });
});
