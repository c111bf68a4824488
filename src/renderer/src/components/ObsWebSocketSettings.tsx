import { useCallback, useEffect, useState } from 'react';
import type { ObsWebSocketSettings as Config, ObsWebSocketStatus, StudioApi } from '../../../shared/api';
import { errorText } from '../../../shared/i18n/errors';
import { useLang, useT } from '../i18n';

interface Props {
  api: StudioApi;
  value: Config;
  onChange: (v: Config) => void;
}

/** One column, like the dialog's other sections (styles.css is shared with other panels: kept local). */
const BOX = { border: 0, padding: 0, margin: '10px 0', display: 'grid', gap: '6px' } as const;

/** How often the dialog refreshes the server's status and client list while it is open. */
const POLL_MS = 2000;

function apiErrorText(lang: ReturnType<typeof useLang>, err: unknown): string {
  const info = typeof err === 'object' && err !== null && 'code' in err && 'message' in err ? { code: String(err.code), message: String(err.message) } : { code: 'internal', message: String(err) };
  return errorText(lang, info);
}

/**
 * The obs-websocket 5 endpoint in Settings: on/off, port, network and password options (saved with
 * the dialog), the address to paste into a tool, the password on request (and a new one), and the
 * tools connected right now.
 */
export function ObsWebSocketSettings({ api, value, onChange }: Props) {
  const tr = useT();
  const lang = useLang();
  const [status, setStatus] = useState<ObsWebSocketStatus | null>(null);
  const [password, setPassword] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const refresh = useCallback(() => {
    api.getObsWebSocket().then(setStatus, () => undefined);
  }, [api]);
  useEffect(() => {
    refresh();
    const t = setInterval(refresh, POLL_MS);
    return () => clearInterval(t);
  }, [refresh]);

  const act = (p: Promise<unknown>, after?: (v: unknown) => void) => {
    setProblem(null);
    p.then(
      (v) => {
        after?.(v);
        refresh();
      },
      (err: unknown) => setProblem(apiErrorText(lang, err)),
    );
  };
  const set = <K extends keyof Config>(k: K, v: Config[K]) => onChange({ ...value, [k]: v, ...(k === 'lan' && v === true ? { auth: true } : {}) });
  const fixed = status?.commandLine ?? false;
  const state = !status ? '' : status.running ? tr('obsws.state.running') : status.error ? tr('obsws.state.failed', { reason: status.error }) : tr('obsws.state.off');

  return (
    <fieldset className="obsws" style={BOX} data-testid="obs-websocket">
      <legend style={{ fontWeight: 600, padding: 0 }}>{tr('obsws.title')}</legend>
      <p className="muted">{tr('obsws.help')}</p>
      {fixed && <p className="muted">{tr('obsws.commandLine')}</p>}
      <label>
        <input type="checkbox" checked={value.enabled} disabled={fixed} onChange={(e) => set('enabled', e.target.checked)} data-testid="obsws-enabled" />
        {tr('obsws.enabled')}
      </label>
      <label>
        {tr('obsws.port')}
        <input type="number" min={1} max={65535} value={value.port} disabled={fixed} onChange={(e) => set('port', e.target.valueAsNumber)} data-testid="obsws-port" />
      </label>
      <label>
        <input type="checkbox" checked={value.lan} disabled={fixed} onChange={(e) => set('lan', e.target.checked)} data-testid="obsws-lan" />
        {tr('obsws.lan')}
      </label>
      <label>
        <input type="checkbox" checked={value.auth || value.lan} disabled={fixed || value.lan} onChange={(e) => set('auth', e.target.checked)} data-testid="obsws-auth" />
        {tr('obsws.auth')}
      </label>
      {value.lan && <small className="muted">{tr('obsws.lanWarning')}</small>}

      <div data-testid="obsws-status" data-running={status?.running ? 'true' : 'false'}>
        <strong>{state}</strong>
        {status?.running && (
          <ul className="obsws-urls" style={{ margin: '4px 0', paddingLeft: 18 }}>
            {status.urls.map((u) => (
              <li key={u}>
                <code data-testid="obsws-url">{u}</code>
              </li>
            ))}
          </ul>
        )}
      </div>

      {(value.auth || value.lan || fixed) && (
        <div className="obsws-password">
          {tr('obsws.password')}{' '}
          {password === null ? (
            <button className="btn btn-quiet" type="button" data-testid="obsws-show-password" onClick={() => act(api.getObsWebSocketPassword(), (v) => setPassword((v as { password: string }).password))}>
              {tr('obsws.showPassword')}
            </button>
          ) : (
            <>
              <code data-testid="obsws-password">{password}</code>{' '}
              <button className="btn btn-quiet" type="button" onClick={() => setPassword(null)}>
                {tr('obsws.hidePassword')}
              </button>
            </>
          )}
          {!fixed && (
            <button
              className="btn btn-quiet"
              type="button"
              data-testid="obsws-regenerate"
              onClick={() => {
                if (window.confirm(tr('obsws.regenerate.confirm'))) act(api.regenerateObsWebSocketPassword(), (v) => setPassword((v as { password: string }).password));
              }}
            >
              {tr('obsws.regenerate')}
            </button>
          )}
        </div>
      )}

      {status?.running && (
        <div>
          {tr('obsws.clients', { count: status.clients.length })}
          <ul className="obsws-clients" style={{ margin: '4px 0', paddingLeft: 18 }} data-testid="obsws-clients">
            {status.clients.map((c) => (
              <li key={c.id} data-testid="obsws-client">
                {c.address}:{c.port} · {c.identifiedAt === null ? tr('obsws.client.waiting') : tr('obsws.client.since', { time: new Date(c.identifiedAt).toLocaleTimeString(lang) })}{' '}
                <button className="btn btn-quiet" type="button" onClick={() => act(api.disconnectObsWebSocketClient({ id: c.id }))}>
                  {tr('obsws.client.disconnect')}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      {problem && (
        <div className="form-error" role="alert">
          {problem}
        </div>
      )}
    </fieldset>
  );
}
