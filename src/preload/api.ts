// What the preload exposes: one named function per StudioApi method (never a generic
// `invoke(channel)`), plus an event subscription. Built from a structural ipcRenderer so the
// same code is tested with doubles.
import { API_METHODS, IPC_DISPLAY_CHOICE, IPC_DISPLAY_SOURCES, IPC_EVENT_CHANNEL, IPC_MEDIA_CHANNEL, IPC_MEDIA_CONTROL_CHANNEL, IPC_PREFIX, type ApiMethod } from '../shared/methods';

export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  send(channel: string, ...args: unknown[]): void;
}

export type PreloadApi = Record<ApiMethod, (params?: unknown) => Promise<unknown>> & {
  onEvent(listener: (msg: unknown) => void): () => void;
  /** One media-wire message (encoded chunk, decoder config, I420 frame or PCM) to the engine. */
  sendMedia(msg: Uint8Array): void;
  /** The engine's media control messages (which encoders to run, keyframe and bitrate requests). */
  onMediaControl(listener: (msg: unknown) => void): () => void;
  /** Desktop app: the screens and windows to pick from, when the page asked for display capture. */
  onDisplaySources(listener: (msg: unknown) => void): () => void;
  chooseDisplaySource(choice: { requestId: number; sourceId: string | null }): Promise<unknown>;
  /** Desktop app: the path of a file the user picked (media files are kept by path). */
  pathForFile?(file: unknown): string;
};

export function buildPreloadApi(ipc: IpcRendererLike, pathForFile?: (file: unknown) => string): PreloadApi {
  const api: Partial<PreloadApi> = {};
  for (const method of API_METHODS) {
    api[method] = (params?: unknown) => ipc.invoke(IPC_PREFIX + method, params);
  }
  api.onEvent = (listener) => {
    const wrapped = (_event: unknown, msg: unknown) => listener(msg);
    ipc.on(IPC_EVENT_CHANNEL, wrapped);
    return () => {
      ipc.removeListener(IPC_EVENT_CHANNEL, wrapped);
    };
  };
  api.sendMedia = (msg: Uint8Array) => {
    if (msg instanceof Uint8Array) ipc.send(IPC_MEDIA_CHANNEL, msg);
  };
  const subscribe = (channel: string) => (listener: (msg: unknown) => void) => {
    const wrapped = (_event: unknown, msg: unknown) => listener(msg);
    ipc.on(channel, wrapped);
    return () => {
      ipc.removeListener(channel, wrapped);
    };
  };
  api.onMediaControl = subscribe(IPC_MEDIA_CONTROL_CHANNEL);
  api.onDisplaySources = subscribe(IPC_DISPLAY_SOURCES);
  api.chooseDisplaySource = (choice) => ipc.invoke(IPC_DISPLAY_CHOICE, choice);
  if (pathForFile) api.pathForFile = (file: unknown) => pathForFile(file);
  return Object.freeze(api) as PreloadApi;
}
