import { describe, expect, it } from 'vitest';
import { ReconnectPolicy } from '../../../../src/main/outputs/reconnect';
import { mapSocketError } from '../../../../src/main/outputs/rtmp/errors';
import { ConnectError } from '../../../../src/shared/errors';

describe('ReconnectPolicy (OBS defaults)', () => {
  it('2 s, ×1.5 per attempt, no jitter at random() = 0', () => {
    const p = new ReconnectPolicy({ random: () => 0 });
    expect([1, 2, 3, 4, 5].map((a) => p.delayMs(a))).toEqual([2000, 3000, 4500, 6750, 10125]);
  });
  it('adds at most 5% jitter', () => {
    const p = new ReconnectPolicy({ random: () => 0.999999 });
    expect(p.delayMs(1)).toBe(2100);
    expect(p.delayMs(2)).toBe(3150);
  });
  it('caps at 15 minutes and stops after 25 tries', () => {
    const p = new ReconnectPolicy({ random: () => 1 });
    expect(p.delayMs(25)).toBe(900_000);
    expect(p.delayMs(26)).toBeUndefined();
    expect(p.delayMs(0)).toBeUndefined();
    const total = Array.from({ length: 25 }, (_, i) => new ReconnectPolicy({ random: () => 0 }).delayMs(i + 1) ?? 0);
    expect(total.filter((d) => d === 900_000).length).toBeGreaterThan(5);
  });
  it('can be turned off', () => {
    expect(new ReconnectPolicy({ enabled: false }).delayMs(1)).toBeUndefined();
  });
});

describe('mapSocketError', () => {
  const T = 'rtmps://h/live/****';
  const e = (code: string, message = code): Error => Object.assign(new Error(message), { code });
  it.each([
    ['ENOTFOUND', 'dns-failed'],
    ['EAI_AGAIN', 'dns-failed'],
    ['ECONNREFUSED', 'connection-refused'],
    ['ETIMEDOUT', 'connection-timeout'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls-certificate'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls-certificate'],
    ['CERT_HAS_EXPIRED', 'tls-certificate'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls-failed'],
    ['ECONNRESET', 'connection-closed'],
    ['EPIPE', 'connection-closed'],
  ])('%s → %s, naming the destination', (code, expected) => {
    const err = mapSocketError(e(code), T, 'connect');
    expect(err).toBeInstanceOf(ConnectError);
    expect(err.code).toBe(expected);
    expect(err.message.startsWith(`${T}: `)).toBe(true);
    expect(err.status).toBe(code);
  });
  it('keeps TandemErrors as they are', () => {
    const t = new ConnectError('connection-timeout', 'x');
    expect(mapSocketError(t, T, 'stream')).toBe(t);
  });
  it('a reset mid-stream says so', () => {
    expect(mapSocketError(e('ECONNRESET'), T, 'stream').message).toMatch(/disconnected mid-stream/);
  });
});
