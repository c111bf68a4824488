import { useEffect, useState } from 'react';
import type { Destination, StudioApi, StudioState } from '../../../shared/api';
import { runAction } from '../actions';
import { useLang, useT, type Tr } from '../i18n';
import type { StatsView } from '../useStats';
import { DestinationForm } from './DestinationForm';
import { Comparison, StatsLine } from './DestinationStats';
import { errorLine } from '../error-text';

interface Props {
  api: StudioApi;
  destinations: Destination[];
  storage: StudioState['secretStorage'];
  stats: StatsView;
  /** The engine gets no video from this window while capturing (StudioState.video.input). */
  videoMissing?: boolean;
}

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

export function DestinationsPanel({ api, destinations, stats, storage, videoMissing = false }: Props) {
  const tr = useT();
  const lang = useLang();
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
                <span className={`proto proto-${d.protocol}`}>{tr(`protocol.${d.protocol}`)}</span>
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
                <div className="dest-error" role="alert" data-testid="dest-error" title={errorLine(lang, d.error, { target: false }).title}>
                  {errorLine(lang, d.error, { target: false }).text}
                </div>
              )}
              {videoMissing && d.state === 'live' && (
                <div className="dest-error" role="status" data-testid="dest-video-missing">
                  {tr('destinations.videoMissing')}
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
