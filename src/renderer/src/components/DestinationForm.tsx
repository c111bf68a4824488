import { useMemo, useState, type FormEvent } from 'react';
import { DestinationInputSchema, type Destination, type DestinationProtocol, type StudioApi, type StudioState } from '../../../shared/api';
import { PRESETS, fillTemplate, templatePlaceholders, type Preset } from '../../../shared/presets';
import { useLang, useT } from '../i18n';
import { errorLine } from '../error-text';
import { isMessageKey } from '../../../shared/i18n/index';

interface Props {
  api: StudioApi;
  /** Where the engine keeps keys and tokens, for the notice under the key field. */
  storage: StudioState['secretStorage'];
  /** Edit this destination; add a new one when absent. */
  editing?: Destination;
  onDone: () => void;
}

const CUSTOM = { rtmp: 'custom-rtmp', rtmps: 'custom-rtmps', whip: 'custom-whip' } as const;

const NOTICE = { 'os-keychain': 'secrets.notice.osKeychain', 'encrypted-file': 'secrets.notice.encryptedFile', memory: 'secrets.notice.memory' } as const;

export function DestinationForm({ api, storage, editing, onDone }: Props) {
  const tr = useT();
  const lang = useLang();
  const [presetId, setPresetId] = useState<string>(editing ? CUSTOM[editing.protocol] : 'twitch');
  const preset: Preset | undefined = PRESETS.find((p) => p.id === presetId);
  const protocol: DestinationProtocol = preset?.protocol ?? editing?.protocol ?? 'rtmp';
  const [name, setName] = useState(editing?.name ?? '');
  const [server, setServer] = useState(0);
  const [url, setUrl] = useState(editing?.url ?? '');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [secret, setSecret] = useState('');
  const [allowUntrusted, setAllowUntrusted] = useState(editing?.allowUntrustedCertificate ?? false);
  /** Own video bitrate, kbit/s; empty = the studio's setting (Settings). */
  const [bitrate, setBitrate] = useState(editing?.videoBitrateKbps !== undefined ? String(editing.videoBitrateKbps) : '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const placeholders = useMemo(() => (preset?.urlTemplate ? templatePlaceholders(preset.urlTemplate) : []), [preset]);
  const isWhip = protocol === 'whip';
  const usesFreeUrl = !preset || (preset.servers.length === 0 && !preset.urlTemplate);

  const resolveUrl = (): string => {
    if (usesFreeUrl) return url;
    if (preset?.urlTemplate) return fillTemplate(preset.urlTemplate, fields);
    return preset?.servers[server]?.url ?? '';
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const finalUrl = resolveUrl();
      const finalName = name.trim() || preset?.name || finalUrl;
      // The certificate opt-out exists only for RTMPS; it is sent (false too) so an edit can clear it.
      const untrusted = protocol === 'rtmps' ? { allowUntrustedCertificate: allowUntrusted } : {};
      // Empty = the studio's bitrate (null clears an own bitrate on edit).
      const videoBitrateKbps = bitrate.trim() === '' ? null : Number(bitrate);
      const input = { name: finalName, protocol, url: finalUrl, ...(secret ? { secret } : {}), ...untrusted, videoBitrateKbps };
      // The engine's own schema, checked here first so the message is in the UI's language at once.
      const parsed = DestinationInputSchema.safeParse(input);
      if (!parsed.success) throw parsed.error;
      if (editing) {
        await api.updateDestination({ id: editing.id, patch: input });
      } else {
        if (preset?.secretRequired && !secret) throw new Error(tr('presets.fillPlaceholder', { name: isWhip ? tr('presets.bearerToken') : tr('presets.streamKey') }));
        await api.addDestination(input);
      }
      onDone();
    } catch (err) {
      setError(errorLine(lang, err).text);
    } finally {
      setBusy(false);
    }
  };

  /** A template's <placeholder> by its catalogue label (presets.placeholder.*), else its own name. */
  const placeholderLabel = (ph: string): string => {
    const key = `presets.placeholder.${ph}`;
    return isMessageKey(key) ? tr(key) : ph;
  };

  const secretLabel = isWhip
    ? preset?.secretRequired
      ? tr('presets.bearerToken')
      : tr('presets.bearerTokenOptional')
    : tr('presets.streamKey');

  return (
    <form className="form" onSubmit={(e) => void submit(e)} aria-label={editing ? tr('destinations.edit') : tr('destinations.add')}>
      <label>
        {tr('presets.service')}
        <select value={presetId} onChange={(e) => setPresetId(e.target.value)} data-testid="preset">
          <optgroup label={tr('presets.group.rtmp')}>
            {PRESETS.filter((p) => p.protocol !== 'whip').map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </optgroup>
          <optgroup label={tr('presets.group.whip')}>
            {PRESETS.filter((p) => p.protocol === 'whip').map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </optgroup>
        </select>
      </label>
      {preset?.hint && <p className="hint">{preset.hint[lang]}</p>}
      <label>
        {tr('destinations.name')}
        <input value={name} onChange={(e) => setName(e.target.value)} placeholder={preset?.name ?? tr('destinations.name.placeholder')} />
      </label>
      {usesFreeUrl && (
        <label>
          {isWhip ? tr('destinations.url.whip') : tr('destinations.url.rtmp')}
          <input value={url} onChange={(e) => setUrl(e.target.value)} placeholder={isWhip ? tr('destinations.url.whip.placeholder') : tr('destinations.url.rtmp.placeholder', { scheme: protocol })} required />
        </label>
      )}
      {!usesFreeUrl && preset && preset.servers.length > 0 && (
        <label>
          {tr('presets.server')}
          <select value={server} onChange={(e) => setServer(Number(e.target.value))}>
            {preset.servers.map((s, i) => (
              <option key={s.url} value={i}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
      )}
      {placeholders.map((ph) => (
        <label key={ph}>
          {placeholderLabel(ph)}
          <input value={fields[ph] ?? ''} onChange={(e) => setFields({ ...fields, [ph]: e.target.value })} required />
        </label>
      ))}
      <label>
        {secretLabel}
        <input type="password" autoComplete="off" value={secret} onChange={(e) => setSecret(e.target.value)} placeholder={editing?.hasSecret ? tr('presets.keyKept') : ''} />
      </label>
      <p className="hint" data-testid="secret-notice">
        {tr(NOTICE[storage])}
      </p>
      <label>
        {tr('destinations.bitrate')}
        <input type="number" data-testid="dest-bitrate" min={100} max={100000} step={100} value={bitrate} onChange={(e) => setBitrate(e.target.value)} placeholder={tr('destinations.bitrate.placeholder')} />
      </label>
      {protocol === 'rtmps' && (
        <>
          <label style={{ flexDirection: 'row', alignItems: 'center', gap: 6 }}>
            <input type="checkbox" data-testid="allow-untrusted" checked={allowUntrusted} onChange={(e) => setAllowUntrusted(e.target.checked)} />
            {tr('destinations.allowUntrusted')}
          </label>
          {allowUntrusted && (
            <p className="hint" style={{ color: '#ffb454' }} role="note" data-testid="allow-untrusted-warning">
              {tr('destinations.allowUntrusted.warning')}
            </p>
          )}
        </>
      )}
      {error && (
        <div className="form-error" role="alert">
          {error}
        </div>
      )}
      <div className="form-actions">
        <button className="btn" type="button" onClick={onDone}>
          {tr('button.cancel')}
        </button>
        <button className="btn btn-primary" type="submit" disabled={busy}>
          {editing ? tr('button.save') : tr('destinations.add')}
        </button>
      </div>
    </form>
  );
}
