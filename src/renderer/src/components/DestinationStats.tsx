// A destination's figures in its row, and the RTMP vs WHIP comparison: what decides between the
// protocols (R = L/T, the estimate B and U = R/B, the delivery delay measured the same way for both,
// the round trip, loss and retransmissions, the backlog below the output, drops and reconnects).
import type { Destination } from '../../../shared/api';
import type { OutputStats } from '../../../shared/stats';
import { useT, type Tr } from '../i18n';
import { utilizationOf } from '../useStats';
import { Sparkline } from './Sparkline';

type Unit = 'kbps' | 'ms' | 'percent' | 'kib';

export function fmt(tr: Tr, v: number | null | undefined, unit: Unit): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return tr('stats.notAvailable');
  const value = unit === 'percent' ? Math.round(v * 1000) / 10 : unit === 'kib' ? Math.round(v / 1024) : Math.round(v);
  return tr(`stats.unit.${unit}`, { value });
}

/** "p50 / p95", or why the server gives us no figure. */
export function deliveryText(tr: Tr, s: OutputStats): string {
  if (s.deliveryMs) return tr('stats.delivery.value', { p50: s.deliveryMs.p50, p95: s.deliveryMs.p95 });
  if (s.deliveryNote === 'no-acks') return tr('stats.delivery.noAcks');
  if (s.deliveryNote === 'no-feedback') return tr('stats.delivery.noFeedback');
  return tr('stats.notAvailable');
}

/** Round trip: WHIP's RTCP RTT, RTMP's ping (User Control PingRequest/Response). */
function roundTrip(s: OutputStats): number | undefined {
  return s.protocol === 'whip' ? s.rttMs : s.pingMs;
}

function backlogText(tr: Tr, s: OutputStats): string {
  const ms = fmt(tr, s.backlogMs ?? s.queueMs, 'ms');
  return s.socketBacklogBytes ? tr('stats.backlog.socket', { ms, kib: fmt(tr, s.socketBacklogBytes, 'kib') }) : ms;
}

export function StatsLine({ s, history }: { s: OutputStats; history: number[] }) {
  const tr = useT();
  const whip = s.protocol === 'whip';
  const u = utilizationOf(s);
  return (
    <div className="dest-stats" data-testid="dest-stats">
      <dl>
        <dt>{tr('stats.bitrate')}</dt>
        <dd data-testid="stat-bitrate" data-value={s.bitrateKbps}>
          {fmt(tr, s.bitrateKbps, 'kbps')}
        </dd>
        <dt title={tr('stats.availableBandwidth.title')}>{tr('stats.availableBandwidth')}</dt>
        <dd data-testid="stat-estimate" data-value={s.availableBitrateKbps ?? ''}>
          {fmt(tr, s.availableBitrateKbps, 'kbps')}
          {whip && s.ccMode && <span className="muted"> ({tr(`stats.ccMode.${s.ccMode}`)})</span>}
        </dd>
        {whip && (
          <>
            <dt title={tr('stats.target.title')}>{tr('stats.target')}</dt>
            <dd data-testid="stat-target" data-value={s.targetBitrateKbps ?? ''}>
              {fmt(tr, s.targetBitrateKbps, 'kbps')}
            </dd>
          </>
        )}
        <dt>{tr('stats.bandwidthUse')}</dt>
        <dd data-testid="stat-utilization" data-value={u ?? ''}>
          {fmt(tr, u, 'percent')}
        </dd>
        <dt title={tr('stats.delivery.title')}>{tr('stats.delivery')}</dt>
        <dd data-testid="stat-delivery" data-p50={s.deliveryMs?.p50 ?? ''} data-p95={s.deliveryMs?.p95 ?? ''}>
          {deliveryText(tr, s)}
        </dd>
        <dt>{whip ? tr('stats.rtt') : tr('stats.ping')}</dt>
        <dd data-testid="stat-rtt">{fmt(tr, roundTrip(s), 'ms')}</dd>
        {whip && (
          <>
            <dt>{tr('stats.packetsLost')}</dt>
            <dd data-testid="stat-loss">{fmt(tr, s.lossFraction, 'percent')}</dd>
            <dt>{tr('stats.retransmits')}</dt>
            <dd data-testid="stat-retransmits">{fmt(tr, s.retransmitRate, 'percent')}</dd>
          </>
        )}
        <dt title={tr('stats.backlog.title')}>{tr('stats.backlog')}</dt>
        <dd data-testid="stat-backlog" data-value={s.backlogMs ?? s.queueMs}>
          {backlogText(tr, s)}
        </dd>
        <dt>{tr('stats.droppedFrames')}</dt>
        <dd data-testid="stat-dropped">{s.framesDropped}</dd>
        <dt>{tr('stats.reconnects')}</dt>
        <dd>{s.reconnects}</dd>
      </dl>
      <Sparkline values={history} label={tr('stats.bitrate')} />
    </div>
  );
}

/** When an RTMP and a WHIP destination are both live: the figures that decide, side by side. */
export function Comparison({ destinations, stats }: { destinations: Destination[]; stats: Map<string, OutputStats> }) {
  const tr = useT();
  const liveOf = (whip: boolean) =>
    destinations.map((d) => (d.state === 'live' && (d.protocol === 'whip') === whip ? stats.get(d.id) : undefined)).find((s) => s !== undefined);
  const rtmp = liveOf(false);
  const whip = liveOf(true);
  if (!rtmp || !whip) return null;
  const rows: [string, (s: OutputStats) => string][] = [
    [tr('stats.bitrate'), (s) => fmt(tr, s.bitrateKbps, 'kbps')],
    [tr('stats.availableBandwidth'), (s) => fmt(tr, s.availableBitrateKbps, 'kbps')],
    [tr('stats.bandwidthUse'), (s) => fmt(tr, utilizationOf(s), 'percent')],
    [tr('stats.delivery'), (s) => deliveryText(tr, s)],
    [tr('stats.roundTrip'), (s) => fmt(tr, roundTrip(s), 'ms')],
    [tr('stats.backlog'), (s) => backlogText(tr, s)],
    [tr('stats.droppedFrames'), (s) => String(s.framesDropped)],
    [tr('stats.reconnects'), (s) => String(s.reconnects)],
  ];
  return (
    <table className="compare" data-testid="comparison">
      <caption>{tr('stats.comparison')}</caption>
      <thead>
        <tr>
          <th />
          <th>{tr('protocol.rtmp')}</th>
          <th>{tr('protocol.whip')}</th>
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
