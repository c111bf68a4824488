// Holds the engine connection and the latest StudioState; re-renders on `state` events.
import { useEffect, useState } from 'react';
import type { StudioState } from '../../shared/api';
import { connect, type Connection } from './api/client';

export type StudioStatus =
  | { kind: 'connecting' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; conn: Connection; state: StudioState };

export function useStudio(): StudioStatus {
  const [status, setStatus] = useState<StudioStatus>({ kind: 'connecting' });
  useEffect(() => {
    let cancelled = false;
    let cleanup: (() => void) | undefined;
    connect().then(
      async (conn) => {
        const state = await conn.api.getState();
        if (cancelled) return conn.transport.close();
        setStatus({ kind: 'ready', conn, state });
        const off = conn.transport.onEvent('state', (s) => setStatus({ kind: 'ready', conn, state: s }));
        cleanup = () => {
          off();
          conn.transport.close();
        };
      },
      (err: unknown) => {
        if (!cancelled) setStatus({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
      },
    );
    return () => {
      cancelled = true;
      cleanup?.();
    };
  }, []);
  return status;
}
