// Connects the UI to the engine: through the preload bridge inside Electron, or over the local
// WebSocket in browser mode (token from the page URL). The rest of the UI sees one StudioApi.
import { createApiClient } from '../../../shared/rpc';
import type { StudioApi } from '../../../shared/api';
import { setMediaBase } from '../engine/media-src';
import { bridgeMediaLink, browserMediaLink, type MediaLink } from '../engine/media-link';
import { bridgeTransport, webSocketTransport, type BridgeLike, type EventfulTransport } from '../../../shared/transports';

export interface Connection {
  api: StudioApi;
  transport: EventfulTransport;
  mode: 'electron' | 'browser';
  /** Opens the media channel to the engine (chunks or frames, PCM; control back), or null where there is none. */
  openMediaLink(): MediaLink | null;
}

declare global {
  interface Window {
    tandem?: BridgeLike;
  }
}

export async function connect(): Promise<Connection> {
  if (window.tandem) {
    const transport = bridgeTransport(window.tandem);
    const bridge = window.tandem;
    const send = bridge.sendMedia;
    const control = bridge.onMediaControl;
    const openMediaLink =
      typeof send === 'function' && typeof control === 'function'
        ? () => bridgeMediaLink((m) => (send as (m: Uint8Array) => void)(m), (fn) => (control as (f: (m: unknown) => void) => () => void)(fn))
        : () => null;
    return { api: createApiClient(transport), transport, mode: 'electron', openMediaLink };
  }
  const token = new URLSearchParams(window.location.search).get('token');
  if (!token) throw new Error('This page needs the access token from the URL that `npm start` printed.');
  const ws = new WebSocket(`ws://${window.location.host}/api?token=${encodeURIComponent(token)}`);
  const transport = webSocketTransport(ws);
  await transport.ready;
  // Uploaded media files are played from the engine that serves this page (media-src.ts).
  setMediaBase(`${window.location.protocol}//${window.location.host}`, token);
  const mediaUrl = `ws://${window.location.host}/media?token=${encodeURIComponent(token)}`;
  return { api: createApiClient(transport), transport, mode: 'browser', openMediaLink: () => browserMediaLink(mediaUrl) };
}
