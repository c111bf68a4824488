// Validation issues travel by key and are worded in the UI's language (docs/ARCHITECTURE.md habit 5).
import { describe, expect, it } from 'vitest';
import { SettingsSchema, DestinationInputSchema } from '../../../src/shared/api';
import { DEFAULT_SETTINGS } from '../../../src/main/studio/studio';
import { fieldIssues } from '../../../src/shared/validation';
import { errorText, fieldIssueText } from '../../../src/shared/i18n/errors';
import { createDispatcher, ApiError } from '../../../src/shared/rpc';
import type { StudioApiImpl } from '../../../src/shared/api';

function issuesOf(schema: { safeParse(v: unknown): { success: boolean; error?: unknown } }, v: unknown) {
  const r = schema.safeParse(v);
  expect(r.success).toBe(false);
  return fieldIssues(r.error as Parameters<typeof fieldIssues>[0]);
}

describe('keyed validation', () => {
  it('a width of 1281 is "not a multiple of 4", in English and in Chinese', () => {
    const issues = issuesOf(SettingsSchema, { ...DEFAULT_SETTINGS, width: 1281 });
    expect(issues).toEqual([{ path: 'width', key: 'multipleOf', params: { n: 4 } }]);
    expect(fieldIssueText('en', issues[0]!)).toBe('Width must be a multiple of 4');
    expect(fieldIssueText('zh-CN', issues[0]!)).toBe('宽度必须是 4 的倍数');
  });

  it('ranges, whole numbers, NaN, empty and long text each have their key', () => {
    expect(issuesOf(SettingsSchema, { ...DEFAULT_SETTINGS, fps: 240 })).toEqual([{ path: 'fps', key: 'range', params: { min: 1, max: 120 } }]);
    expect(issuesOf(SettingsSchema, { ...DEFAULT_SETTINGS, fps: 29.97 })).toEqual([{ path: 'fps', key: 'integer' }]);
    expect(issuesOf(SettingsSchema, { ...DEFAULT_SETTINGS, videoBitrateKbps: Number.NaN })[0]).toMatchObject({ path: 'videoBitrateKbps', key: 'number' });
    expect(issuesOf(DestinationInputSchema, { name: '  ', protocol: 'rtmp', url: 'rtmp://x/app' })).toEqual([{ path: 'name', key: 'required' }]);
    expect(issuesOf(DestinationInputSchema, { name: 'n'.repeat(81), protocol: 'rtmp', url: 'rtmp://x/app' })).toEqual([{ path: 'name', key: 'tooLong', params: { max: 80 } }]);
    expect(issuesOf(SettingsSchema, { ...DEFAULT_SETTINGS, language: 'fr' })[0]).toMatchObject({ path: 'language', key: 'oneOf' });
  });

  it('the English message zod carries is the catalogue text (logs, the command line)', () => {
    const r = SettingsSchema.safeParse({ ...DEFAULT_SETTINGS, width: 1281 });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe('must be a multiple of 4');
  });

  it('the engine sends the keyed fields with invalid-argument, and the UI words them in Chinese', async () => {
    const dispatch = createDispatcher({} as StudioApiImpl);
    const out = await dispatch('updateSettings', { width: 1281 });
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.error.code).toBe('invalid-argument');
    expect(out.error.fields).toEqual([{ path: 'width', key: 'multipleOf', params: { n: 4 } }]);
    const err = new ApiError(out.error);
    expect(err.fields).toEqual(out.error.fields);
    expect(errorText('zh-CN', err.toInfo())).toBe('参数无效：宽度必须是 4 的倍数');
    expect(errorText('en', err.toInfo())).toMatch(/: Width must be a multiple of 4$/);
  });
});
