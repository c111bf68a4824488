// Live per-destination stats from the engine's once-a-second `stats` event, with 60 s of bitrate
// history per destination for the sparklines.
import { useEffect, useState } from 'react';
import type { OutputStats } from '../../shared/stats';
import type { EventfulTransport } from '../../shared/transports';

export const HISTORY_SECONDS = 60;

export interface StatsView {
  latest: Map<string, OutputStats>;
  history: Map<string, number[]>;
}

export function useStats(transport: EventfulTransport): StatsView {
  const [view, setView] = useState<StatsView>({ latest: new Map(), history: new Map() });
  useEffect(
    () =>
      transport.onEvent('stats', (list) => {
        setView((prev) => {
          const latest = new Map(list.map((s) => [s.id, s]));
          const history = new Map<string, number[]>();
          for (const s of list) {
            const h = [...(prev.history.get(s.id) ?? []), s.bitrateKbps];
            history.set(s.id, h.slice(-HISTORY_SECONDS));
          }
          return { latest, history };
        });
      }),
    [transport],
  );
  return view;
}

/** U = R / B where an estimate of the available bandwidth B exists. */
export function utilizationOf(s: OutputStats): number | null {
  if (s.utilization !== undefined) return s.utilization;
  if (!s.availableBitrateKbps) return null;
  return s.bitrateKbps / s.availableBitrateKbps;
}
