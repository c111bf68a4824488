// Builds a StudioApi client over each real transport against a fresh engine, for contract tests.
import WebSocket from 'ws';
import { createApiClient, createDispatcher } from '../../src/shared/rpc';
import { bridgeTransport, webSocketTransport, type BridgeLike, type EventfulTransport, type WebSocketLike } from '../../src/shared/transports';
import type { StudioApi } from '../../src/shared/api';
import { Studio } from '../../src/main/studio/studio';
import { startControlServer, type ControlServer } from '../../src/main/control/server';
import { registerIpc } from '../../src/main/control/ipc';
import { buildPreloadApi } from '../../src/preload/api';
import { FakeIpcMain, FakeIpcRenderer, FakeWebContents } from './ipc-doubles';

export interface Harness {
  api: StudioApi;
  transport: EventfulTransport;
  studio: Studio;
  close(): Promise<void>;
}

export const TRUSTED_URL = 'file:///app/out/renderer/index.html';

export async function wsHarness(): Promise<Harness & { server: ControlServer }> {
  const studio = new Studio({ mode: 'browser' });
  const server = await startControlServer({ dispatch: createDispatcher(studio), events: studio });
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${server.token}`, { origin: `http://127.0.0.1:${server.port}` });
  const transport = webSocketTransport(ws as unknown as WebSocketLike);
  await transport.ready;
  return {
    api: createApiClient(transport),
    transport,
    studio,
    server,
    async close() {
      transport.close();
      await server.close();
      void studio.close();
    },
  };
}

export async function ipcHarness(): Promise<Harness & { renderer: FakeIpcRenderer; main: FakeIpcMain }> {
  const studio = new Studio({ mode: 'electron' });
  const main = new FakeIpcMain();
  const contents = new FakeWebContents(7);
  const unregister = registerIpc({
    ipcMain: main,
    dispatch: createDispatcher(studio),
    events: studio,
    target: contents,
    isTrustedUrl: (u) => u === TRUSTED_URL,
  });
  const renderer = new FakeIpcRenderer(main, contents, { senderId: 7, url: TRUSTED_URL });
  const bridge = buildPreloadApi(renderer) as unknown as BridgeLike;
  const transport = bridgeTransport(bridge);
  return {
    api: createApiClient(transport),
    transport,
    studio,
    renderer,
    main,
    async close() {
      transport.close();
      unregister();
      void studio.close();
    },
  };
}
