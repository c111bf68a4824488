import { describe, expect, it } from 'vitest';
import { en, zhCN, t, translator, detectLanguage, resolveLanguage, interpolate, MESSAGES, type MessageKey } from '../../../src/shared/i18n';
import { errorText, errorSummary, ERROR_CODES } from '../../../src/shared/i18n/errors';
import { TandemError, type ErrorCode } from '../../../src/shared/errors';

const params = (s: string): string[] => [...s.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1] as string).sort();
const keys = Object.keys(en) as MessageKey[];

// Every ErrorCode, listed by hand so that a new code breaks this file's type check.
const ALL_CODES: Record<ErrorCode, true> = {
  'invalid-url': true, 'invalid-key': true, 'invalid-argument': true, 'invalid-file': true, 'dns-failed': true,
  'connection-refused': true, 'connection-timeout': true, 'connection-closed': true, 'tls-failed': true,
  'tls-certificate': true, 'auth-rejected': true, 'stream-busy': true, 'server-error': true, 'server-unavailable': true,
  'protocol-violation': true, 'invalid-state': true, 'not-found': true, 'encoder-failed': true, 'ffmpeg-missing': true,
  internal: true,
};

describe('message catalogues', () => {
  it('have exactly the same keys in both languages', () => {
    expect(Object.keys(zhCN).sort()).toEqual([...keys].sort());
    expect(Object.keys(MESSAGES).sort()).toEqual(['en', 'zh-CN']);
  });

  it('have no empty strings', () => {
    for (const k of keys) {
      expect(en[k].trim(), k).not.toBe('');
      expect(zhCN[k].trim(), k).not.toBe('');
    }
  });

  it('use the same {params} in both languages', () => {
    for (const k of keys) expect(params(zhCN[k]), k).toEqual(params(en[k]));
  });

  it('are actually translated (Chinese text where English has words) and keep brand names', () => {
    const untranslated = keys.filter((k) => /[a-z]{3,}/i.test(en[k].replace(/\{[^}]*\}/g, '')) && !/[\u4e00-\u9fff]/.test(zhCN[k]));
    // Brand, protocol and unit strings legitimately stay as they are.
    expect(untranslated.sort()).toEqual(['app.title', 'destinations.protocol.whip', 'destinations.url.rtmp.placeholder', 'destinations.url.whip.placeholder', 'presets.group.rtmp', 'presets.group.whip', 'language.en', 'program.size', 'settings.format.flv', 'settings.format.mkv', 'protocol.rtmp', 'protocol.rtmps', 'protocol.whip', 'stats.ccMode.transport-cc', 'stats.ping', 'stats.unit.kbps', 'stats.unit.kib', 'status.cpu', 'status.cpuValue'].sort());
    expect(zhCN['controls.goLive']).toBe('开始直播');
    expect(zhCN['stats.bitrate']).toBe('码率');
    expect(zhCN['stats.droppedFrames']).toBe('丢帧');
  });

  it('cover the new UI strings', () => {
    for (const k of [
      'state.reconnectingIn', 'controls.goLiveAll', 'controls.stopAll', 'stats.comparison', 'settings.keyint', 'validation.range',
      'status.cpu', 'presets.customWhip', 'presets.bearerTokenOptional', 'secrets.notice.encryptedFile', 'shortcuts.goLive',
      'shortcuts.record', 'shortcuts.scenes',
    ] as const) expect(en[k]).toBeTruthy();
  });
});

describe('t', () => {
  it('looks up and interpolates', () => {
    expect(t('en', 'app.title')).toBe('Tandem Studio');
    expect(t('en', 'state.reconnectingIn', { s: 5, attempt: 2 })).toBe('Reconnecting in 5 s (attempt 2)');
    expect(t('zh-CN', 'state.reconnectingIn', { s: 5, attempt: 2 })).toBe('5 秒后重连（第 2 次）');
    expect(t('en', 'validation.range', { min: 1, max: 120 })).toBe('must be between 1 and 120');
    expect(t('zh-CN', 'status.destinations', { count: 3, live: 2 })).toBe('推流目标：3（2 个直播中）');
    expect(translator('zh-CN')('controls.goLive')).toBe('开始直播');
  });

  it('leaves unknown or missing params visible rather than guessing', () => {
    expect(interpolate('a {x} b {y}', { x: 1 })).toBe('a 1 b {y}');
    expect(interpolate('plain {x}')).toBe('plain {x}');
  });

  it('checks params at compile time for literal keys, and accepts computed keys', () => {
    // @ts-expect-error 'app.live' needs {count}
    expect(t('en', 'app.live')).toBe('LIVE · {count}');
    // @ts-expect-error no such param
    t('en', 'app.live', { cnt: 1 });
    const state = 'live' as 'idle' | 'live' | 'failed';
    expect(t('zh-CN', `state.${state}`)).toBe('直播中');
  });
});

describe('detectLanguage', () => {
  it.each([
    [['zh-CN'], 'zh-CN'],
    [['zh'], 'zh-CN'],
    [['zh-TW', 'en'], 'zh-CN'],
    [['zh-Hant-HK'], 'zh-CN'],
    [['ZH_cn'], 'zh-CN'],
    [['en-US', 'zh-CN'], 'en'],
    [['fr-FR', 'zh-CN'], 'zh-CN'],
    [['fr-FR', 'de'], 'en'],
    [[], 'en'],
    [['zhx'], 'en'],
  ] as const)('%j → %s', (langs, want) => {
    expect(detectLanguage(langs)).toBe(want);
  });

  it('resolveLanguage keeps an explicit choice and detects for auto', () => {
    expect(resolveLanguage('en', ['zh-CN'])).toBe('en');
    expect(resolveLanguage('zh-CN', ['en'])).toBe('zh-CN');
    expect(resolveLanguage('auto', ['zh-TW'])).toBe('zh-CN');
    expect(resolveLanguage(undefined, [])).toBe('en');
  });
});

describe('errorText', () => {
  it('has a summary for every ErrorCode in both languages', () => {
    expect([...ERROR_CODES].sort()).toEqual(Object.keys(ALL_CODES).sort());
    for (const code of Object.keys(ALL_CODES) as ErrorCode[]) {
      for (const lang of ['en', 'zh-CN'] as const) {
        const s = errorSummary(lang, code);
        expect(s, `${lang} ${code}`).not.toMatch(/^error\./);
        expect(errorText(lang, { code, message: 'detail-xyz' })).toMatch(/detail-xyz$/);
      }
      expect(errorSummary('zh-CN', code)).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('prefixes the localized cause and keeps the detail, status and target', () => {
    const info = new TandemError('connection-refused', 'connect ECONNREFUSED 10.0.0.1:1935', { target: 'Twitch' }).toInfo();
    expect(errorText('en', info)).toBe('Twitch: Connection refused: connect ECONNREFUSED 10.0.0.1:1935');
    expect(errorText('zh-CN', info)).toBe('Twitch：连接被拒绝：connect ECONNREFUSED 10.0.0.1:1935');
    expect(errorText('en', info, { target: false })).toBe('Connection refused: connect ECONNREFUSED 10.0.0.1:1935');
    expect(errorText('en', { code: 'auth-rejected', message: 'WHIP POST answered 401', status: '401' })).toBe(
      'The server rejected the stream key or token: WHIP POST answered 401',
    );
    expect(errorText('zh-CN', { code: 'server-error', message: 'NetStream.Publish.Failed', status: 'NetStream.Publish.BadName' })).toBe(
      '服务器返回错误：NetStream.Publish.Failed（状态码 NetStream.Publish.BadName）',
    );
  });

  it('reads unknown codes (wire shape) as internal and handles an empty message', () => {
    expect(errorText('en', { code: 'from-the-future', message: 'x' })).toBe('Internal error: x');
    expect(errorText('zh-CN', { code: 'not-found', message: '' })).toBe('未找到');
  });
});
