// The UI's error lines (src/renderer/src/error-text.ts): engine errors by code and validation by
// keyed fields, in the UI's language; the engine's English detail only in English (else the tooltip).
import { describe, expect, it } from 'vitest';
import { errorLine } from '../../../src/renderer/src/error-text';
import { ApiError } from '../../../src/shared/rpc';
import { DestinationInputSchema, SettingsSchema } from '../../../src/shared/api';
import { PRESETS, templatePlaceholders } from '../../../src/shared/presets';
import { en, zhCN } from '../../../src/shared/i18n/index';
import { DEFAULT_SETTINGS } from '../../../src/main/studio/studio';

const wrongToken = new ApiError({ code: 'auth-rejected', message: 'WHIP POST answered 401 Unauthorized', target: 'Janus WHIP', status: '401' });

describe('errorLine', () => {
  it('words an engine error by its code: Chinese summary and status in zh-CN, the English detail in the tooltip', () => {
    const zh = errorLine('zh-CN', wrongToken, { target: false });
    expect(zh.text).toContain(zhCN['error.auth-rejected']);
    expect(zh.text).toContain('401');
    expect(zh.text).not.toMatch(/Unauthorized|answered/);
    expect(zh.title).toBe('WHIP POST answered 401 Unauthorized');
    const enLine = errorLine('en', wrongToken);
    expect(enLine.text).toBe(`Janus WHIP: ${en['error.auth-rejected']}: WHIP POST answered 401 Unauthorized`);
  });

  it('words a client-side validation failure by its fields', () => {
    const settings = SettingsSchema.safeParse({ ...DEFAULT_SETTINGS, width: 1281 });
    expect(settings.success).toBe(false);
    expect(errorLine('zh-CN', settings.error).text).toBe('参数无效：宽度必须是 4 的倍数');
    expect(errorLine('en', settings.error).text).toBe('Invalid value: Width must be a multiple of 4');
    const dest = DestinationInputSchema.safeParse({ name: 'x', protocol: 'rtmp', url: 'rtmp://h/app', videoBitrateKbps: 50 });
    expect(errorLine('zh-CN', dest.error).text).toContain('视频码率');
  });

  it('the wire shape of a destination error reads the same as the thrown one', () => {
    expect(errorLine('zh-CN', { code: 'connection-refused', message: 'connect ECONNREFUSED 127.0.0.1:1935' }).text).toBe(zhCN['error.connection-refused']);
  });

  it("keeps the UI's own (already translated) errors as they are", () => {
    expect(errorLine('zh-CN', new Error('请填写推流密钥')).text).toBe('请填写推流密钥');
  });
});

describe('preset templates', () => {
  it('every <placeholder> in a URL template has a label in the catalogue', () => {
    const names = new Set(PRESETS.flatMap((p) => (p.urlTemplate ? templatePlaceholders(p.urlTemplate) : [])));
    expect(names.size).toBeGreaterThan(3);
    for (const n of names) expect(Object.keys(en), n).toContain(`presets.placeholder.${n}`);
  });
});
