import { HISTORY_SECONDS } from '../useStats';

/** Bitrate over the last 60 s, scaled to its own maximum. */
export function Sparkline({ values, label }: { values: number[]; label: string }) {
  const w = 120;
  const h = 24;
  const max = Math.max(1, ...values);
  const step = w / (HISTORY_SECONDS - 1);
  const offset = HISTORY_SECONDS - values.length;
  const pts = values.map((v, i) => `${((offset + i) * step).toFixed(1)},${(h - (v / max) * (h - 2) - 1).toFixed(1)}`).join(' ');
  return (
    <svg className="spark" width={w} height={h} viewBox={`0 0 ${w} ${h}`} role="img" aria-label={label}>
      <polyline points={pts} fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}
