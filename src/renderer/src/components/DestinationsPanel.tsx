import { useState, type FormEvent } from 'react';
import type { Destination, DestinationProtocol, StudioApi } from '../../../shared/api';

interface Props {
  api: StudioApi;
  destinations: Destination[];
}

const PROTOCOL_LABEL: Record<DestinationProtocol, string> = { rtmp: 'RTMP', rtmps: 'RTMPS', whip: 'WHIP' };
const STATE_LABEL: Record<Destination['state'], string> = {
  idle: 'Idle',
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  stopping: 'Stopping…',
  stopped: 'Stopped',
  failed: 'Failed',
};

export function DestinationsPanel({ api, destinations }: Props) {
  const [adding, setAdding] = useState(false);
  return (
    <section className="panel" aria-labelledby="dest-h">
      <div className="panel-head">
        <h2 id="dest-h">Destinations</h2>
        <button className="btn" onClick={() => setAdding((a) => !a)} aria-expanded={adding}>
          {adding ? 'Cancel' : '+ Add'}
        </button>
      </div>
      {adding && <AddDestinationForm api={api} onDone={() => setAdding(false)} />}
      {destinations.length === 0 && !adding && <p className="muted empty">No destinations yet. Add an RTMP ingest or a WHIP endpoint.</p>}
      <ul className="list" data-testid="destination-list">
        {destinations.map((d) => (
          <li key={d.id} className="dest" data-testid="destination" data-protocol={d.protocol}>
            <div className="dest-top">
              <span className={`proto proto-${d.protocol}`}>{PROTOCOL_LABEL[d.protocol]}</span>
              <span className="dest-name">{d.name}</span>
              <span className={`state state-${d.state}`}>{STATE_LABEL[d.state]}</span>
            </div>
            <div className="dest-url" title={d.url}>
              {d.url}
              {d.hasSecret && <span className="muted"> · {d.protocol === 'whip' ? 'token' : 'key'} {d.secretMasked}</span>}
            </div>
            {d.error && <div className="dest-error" role="alert">{d.error.message}</div>}
            <div className="dest-actions">
              <button className="btn btn-quiet" onClick={() => void api.removeDestination({ id: d.id })} disabled={d.state === 'live'}>
                Remove
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

function AddDestinationForm({ api, onDone }: { api: StudioApi; onDone: () => void }) {
  const [name, setName] = useState('');
  const [protocol, setProtocol] = useState<DestinationProtocol>('rtmp');
  const [url, setUrl] = useState('');
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.addDestination({ name, protocol, url, ...(secret ? { secret } : {}) });
      onDone();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={(e) => void submit(e)} aria-label="Add destination">
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} placeholder="My channel" required />
      </label>
      <label>
        Protocol
        <select value={protocol} onChange={(e) => setProtocol(e.target.value as DestinationProtocol)}>
          <option value="rtmp">RTMP</option>
          <option value="rtmps">RTMPS</option>
          <option value="whip">WHIP (WebRTC)</option>
        </select>
      </label>
      <label>
        {protocol === 'whip' ? 'WHIP endpoint URL' : 'Server URL'}
        <input
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          placeholder={protocol === 'whip' ? 'https://example.com/whip/endpoint' : `${protocol}://live.example.com/app`}
          required
        />
      </label>
      <label>
        {protocol === 'whip' ? 'Bearer token (optional)' : 'Stream key'}
        <input type="password" autoComplete="off" value={secret} onChange={(e) => setSecret(e.target.value)} />
      </label>
      {error && <div className="form-error" role="alert">{error}</div>}
      <button className="btn btn-primary" type="submit" disabled={busy}>
        Add destination
      </button>
    </form>
  );
}
