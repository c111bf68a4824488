import { useEffect, useState } from 'react';
import type { Destination, DestinationProtocol, StudioApi, StudioState } from '../../../shared/api';
import type { OutputStats } from '../../../shared/stats';
import { runAction } from '../actions';
import { useT, type Tr } from '../i18n';
import { latencyOf, utilizationOf, type StatsView } from '../useStats';
import { DestinationForm } from './DestinationForm';
import { Sparkline } from './Sparkline';

interface Props {
  api: StudioApi;
  destinations: Destination[];
  storage: StudioState['secretStorage'];
  stats: StatsView;
}

const PROTOCOL_LABEL: Record<DestinationProtocol, string> = { rtmp: 'RTMP', rtmps: 'RTMPS', whip: 'WHIP' };
const ACTIVE = new Set<Destination['state']>(['connecting', 'live', 'reconnecting', 'stopping']);

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, [active]);
  return now;
}

function stateText(tr: Tr, d: Destination, now: number): string {
  if (d.state === 'reconnecting' && d.retry) {
    const s = Math.max(0, Math.ceil((d.retry.at - now) / 1000));
    const attempt = d.retry.attempt;
    return s > 0 ? tr('state.reconnectingIn', { s, attempt }) : tr('state.reconnectingNow', { attempt });
  }
  return tr(`state.${d.state}`);
}

export function DestinationsPanel({ api, destinations, stats, storage }: Props) {
  const tr = useT();
  const [form, setForm] = useState<'add' | string | null>(null);
  const anyActive = destinations.some((d) => ACTIVE.has(d.state));
  const now = useNow(destinations.some((d) => d.state === 'reconnecting'));
  const editing = form && form !== 'add' ? destinations.find((d) => d.id === form) : undefined;
  return (
    <section className="panel" aria-labelledby="dest-h">
      <div className="panel-head">
        <h2 id="dest-h">{tr('destinations.title')}</h2>
        <div className="row-actions">
          {destinations.length > 0 && (
            <button className="btn btn-quiet" data-testid="go-live-all" onClick={() => runAction(anyActive ? api.stopLive() : api.goLive())}>
              {anyActive ? tr('controls.stopAll') : tr('controls.goLiveAll')}
            </button>
          )}
          <button className="btn" onClick={() => setForm(form ? null : 'add')} aria-expanded={form === 'add'}>
            {form ? tr('button.cancel') : tr('button.add')}
          </button>
        </div>
      </div>
      {form && <DestinationForm key={form} api={api} storage={storage} {...(editing ? { editing } : {})} onDone={() => setForm(null)} />}
      {destinations.length === 0 && !form && <p className="muted empty">{tr('destinations.empty')}</p>}
      <Comparison destinations={destinations} stats={stats.latest} />
      <ul className="list" data-testid="destination-list">
        {destinations.map((d) => {
          const s = stats.latest.get(d.id);
          const active = ACTIVE.has(d.state);
          return (
            <li key={d.id} className={`dest dest-${d.state}`} data-testid="destination" data-protocol={d.protocol} data-state={d.state}>
              <div className="dest-top">
                <span className={`proto proto-${d.protocol}`}>{PROTOCOL_LABEL[d.protocol]}</span>
                <span className="dest-name">{d.name}</span>
                <span className={`state state-${d.state}`} data-testid="dest-state">
                  {stateText(tr, d, now)}
                </span>
              </div>
              <div className="dest-url" title={d.url}>
                {d.url}
                {d.hasSecret && (
                  <span className="muted">
                    {' '}
                    · {d.protocol === 'whip' ? tr('destinations.token') : tr('destinations.key')} {d.secretMasked}
                  </span>
                )}
              </div>
              {d.error && (
                <div className="dest-error" role="alert">
                  {d.error.message}
                </div>
              )}
              {s && active && <StatsLine s={s} history={stats.history.get(d.id) ?? []} />}
              <div className="dest-actions">
                {d.state === 'reconnecting' && (
                  <button className="btn btn-quiet" data-testid="dest-retry" onClick={() => runAction(api.retryDestination({ id: d.id }))}>
                    {tr('button.retryNow')}
                  </button>
                )}
                <button className="btn btn-quiet" disabled={active} onClick={() => setForm(d.id)}>
                  {tr('button.edit')}
                </button>
                <button className="btn btn-quiet" disabled={active} onClick={() => runAction(api.removeDestination({ id: d.id }))}>
                  {tr('button.remove')}
                </button>
                <button
                  className={`btn ${active ? 'btn-danger' : 'btn-primary'}`}
                  data-testid="dest-toggle"
                  onClick={() => runAction(active ? api.stopLive({ ids: [d.id] }) : api.goLive({ ids: [d.id] }))}
                >
                  {active ? tr('button.stop') : tr('button.start')}
                </button>
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function fmt(tr: Tr, v: number | null | undefined, unit: 'kbps' | 'ms' | 'percent'): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return tr('stats.notAvailable');
  const value = unit === 'percent' ? Math.round(v * 100) : Math.round(v);
  return tr(unit === 'kbps' ? 'stats.unit.kbps' : unit === 'ms' ? 'stats.unit.ms' : 'stats.unit.percent', { value });
}

function StatsLine({ s, history }: { s: OutputStats; history: number[] }) {
  const tr = useT();
  const lat = latencyOf(s);
  return (
    <div className="dest-stats" data-testid="dest-stats">
      <dl>
        <dt>{tr('stats.bitrate')}</dt>
        <dd data-testid="stat-bitrate" data-value={s.bitrateKbps}>
          {fmt(tr, s.bitrateKbps, 'kbps')}
        </dd>
        <dt>{lat?.label === 'rtt' ? tr('stats.rtt') : tr('stats.sendQueue')}</dt>
        <dd>
          {fmt(tr, lat?.ms, 'ms')}
          {s.protocol !== 'whip' && s.pingMs !== undefined && <span className="muted"> ({tr('stats.ping')} {fmt(tr, s.pingMs, 'ms')})</span>}
        </dd>
        <dt>{tr('stats.bandwidthUse')}</dt>
        <dd>{fmt(tr, utilizationOf(s), 'percent')}</dd>
        <dt>{tr('stats.droppedFrames')}</dt>
        <dd>{s.framesDropped}</dd>
        <dt>{tr('stats.reconnects')}</dt>
        <dd>{s.reconnects}</dd>
      </dl>
      <Sparkline values={history} label={tr('stats.bitrate')} />
    </div>
  );
}

/** When an RTMP and a WHIP destination are both live: the figures that decide, side by side. */
function Comparison({ destinations, stats }: { destinations: Destination[]; stats: Map<string, OutputStats> }) {
  const tr = useT();
  const liveOf = (whip: boolean) =>
    destinations.map((d) => (d.state === 'live' && (d.protocol === 'whip') === whip ? stats.get(d.id) : undefined)).find((s) => s !== undefined);
  const rtmp = liveOf(false);
  const whip = liveOf(true);
  if (!rtmp || !whip) return null;
  const rows: [string, (s: OutputStats) => string][] = [
    [tr('stats.bitrate'), (s) => fmt(tr, s.bitrateKbps, 'kbps')],
    [tr('stats.latency'), (s) => fmt(tr, latencyOf(s)?.ms, 'ms')],
    [tr('stats.bandwidthUse'), (s) => fmt(tr, utilizationOf(s), 'percent')],
    [tr('stats.droppedFrames'), (s) => String(s.framesDropped)],
    [tr('stats.reconnects'), (s) => String(s.reconnects)],
  ];
  return (
    <table className="compare" data-testid="comparison">
      <caption>{tr('stats.comparison')}</caption>
      <thead>
        <tr>
          <th />
          <th>RTMP</th>
          <th>WHIP</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([label, f]) => (
          <tr key={label}>
            <th scope="row">{label}</th>
            <td>{f(rtmp)}</td>
            <td>{f(whip)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
