// Client transports for the renderer (and tests): the preload bridge, or a WebSocket to the
// local engine. Both yield RpcOutcomes, so the UI cannot tell them apart.
import type { ApiEvents } from './api';
import { API_EVENTS, type ApiEvent, type ApiMethod } from './methods';
import type { ClientTransport, RpcOutcome } from './rpc';

export interface EventfulTransport extends ClientTransport {
  onEvent<E extends ApiEvent>(event: E, fn: (data: ApiEvents[E]) => void): () => void;
  close(): void;
}

type Listener = (data: unknown) => void;

class Listeners {
  private readonly map = new Map<ApiEvent, Set<Listener>>();
  add(event: ApiEvent, fn: Listener): () => void {
    let s = this.map.get(event);
    if (!s) this.map.set(event, (s = new Set()));
    s.add(fn);
    return () => s.delete(fn);
  }
  fire(msg: unknown): void {
    if (typeof msg !== 'object' || msg === null) return;
    const m = msg as { type?: unknown; event?: unknown; data?: unknown };
    if (m.type !== 'evt' || !(API_EVENTS as readonly unknown[]).includes(m.event)) return;
    for (const fn of this.map.get(m.event as ApiEvent) ?? []) fn(m.data);
  }
  clear(): void {
    this.map.clear();
  }
}

/** The shape window.tandem has (see src/preload/api.ts). */
export interface BridgeLike {
  onEvent(listener: (msg: unknown) => void): () => void;
  [method: string]: unknown;
}

export function bridgeTransport(bridge: BridgeLike): EventfulTransport {
  const listeners = new Listeners();
  const off = bridge.onEvent((msg) => listeners.fire(msg));
  return {
    async call(method: ApiMethod, params: unknown): Promise<RpcOutcome> {
      const fn = bridge[method];
      if (typeof fn !== 'function') return { ok: false, error: { code: 'not-found', message: `the bridge has no '${method}'` } };
      return (await (fn as (p: unknown) => Promise<RpcOutcome>)(params)) ?? { ok: false, error: { code: 'internal', message: 'empty reply' } };
    },
    onEvent: (event, fn) => listeners.add(event, fn as Listener),
    close() {
      off();
      listeners.clear();
    },
  };
}

export interface WebSocketLike {
  readyState: number;
  send(data: string): void;
  close(): void;
  addEventListener(type: 'open' | 'message' | 'close' | 'error', fn: (ev: { data?: unknown }) => void): void;
}

/** A WebSocket transport with request ids; pending calls fail with a typed error on close. */
export function webSocketTransport(ws: WebSocketLike): EventfulTransport & { ready: Promise<void> } {
  const listeners = new Listeners();
  const pending = new Map<number, (o: RpcOutcome) => void>();
  let nextId = 1;
  let closed = false;
  const ready = new Promise<void>((resolve, reject) => {
    if (ws.readyState === 1) resolve();
    ws.addEventListener('open', () => resolve());
    ws.addEventListener('error', () => reject(new Error('the engine refused the connection')));
  });
  const failAll = (message: string) => {
    for (const done of pending.values()) done({ ok: false, error: { code: 'connection-closed', message } });
    pending.clear();
  };
  ws.addEventListener('close', () => {
    closed = true;
    failAll('the connection to the engine closed');
  });
  ws.addEventListener('message', (ev) => {
    let msg: unknown;
    try {
      msg = JSON.parse(String(ev.data));
    } catch {
      return;
    }
    const m = msg as { type?: unknown; id?: unknown };
    if (m.type === 'res' && typeof m.id === 'number') {
      const done = pending.get(m.id);
      pending.delete(m.id);
      done?.(msg as RpcOutcome);
    } else listeners.fire(msg);
  });
  return {
    ready,
    async call(method, params) {
      await ready;
      if (closed) return { ok: false, error: { code: 'connection-closed', message: 'the connection to the engine is closed' } };
      const id = nextId++;
      return new Promise<RpcOutcome>((resolve) => {
        pending.set(id, resolve);
        ws.send(JSON.stringify({ type: 'req', id, method, params }));
      });
    },
    onEvent: (event, fn) => listeners.add(event, fn as Listener),
    close() {
      if (closed) return;
      closed = true;
      failAll('the client closed the connection');
      listeners.clear();
      ws.close();
    },
  };
}
