// Electron IPC side of the StudioApi: one ipcMain handler per method, each checking that the
// call comes from our own window's main frame before dispatching. Events go to that window.
// Typed structurally so tests can drive it with doubles of ipcMain (Electron cannot run in CI).
import type { ApiEvents } from '../../shared/api';
import { API_METHODS, IPC_EVENT_CHANNEL, IPC_MEDIA_CHANNEL, IPC_MEDIA_CONTROL_CHANNEL, IPC_PREFIX } from '../../shared/methods';
import { decodeMedia, type MediaChannel, type MediaEndpoint } from '../../shared/media-wire';
import { ProtocolError } from '../../shared/errors';
import type { Dispatch, RpcOutcome } from '../../shared/rpc';
import type { EventSource } from './server';

export interface IpcInvokeEventLike {
  senderFrame: { url: string; parent?: unknown } | null;
  sender: { id: number };
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcInvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
  on(channel: string, listener: (event: IpcInvokeEventLike, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: IpcInvokeEventLike, ...args: unknown[]) => void): unknown;
}

export interface WebContentsLike {
  id: number;
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
}

export interface IpcOptions {
  ipcMain: IpcMainLike;
  dispatch: Dispatch;
  events: EventSource;
  /** The window allowed to call, and that receives events. */
  target: WebContentsLike;
  /** Whether a frame URL is our renderer (file://…/index.html or the dev server origin). */
  isTrustedUrl: (url: string) => boolean;
  /** Where the renderer's media goes (encoded chunks or raw frames, and PCM); control goes back. */
  media?: MediaEndpoint;
}

/** Registers the handlers; returns the function that removes them again. */
export function registerIpc(opts: IpcOptions): () => void {
  const trusted = (event: IpcInvokeEventLike): boolean => {
    const frame = event.senderFrame;
    return event.sender.id === opts.target.id && frame !== null && !frame.parent && opts.isTrustedUrl(frame.url);
  };
  // One media channel per window. A malformed message closes it with its reason (the studio shows
  // it) and a fresh channel takes the window's next messages: IPC has no connection to drop.
  const attach = (): MediaChannel | undefined =>
    opts.media?.attachMediaChannel((m) => {
      if (!opts.target.isDestroyed()) opts.target.send(IPC_MEDIA_CONTROL_CHANNEL, m);
    });
  let channel = attach();
  const onMedia = (event: IpcInvokeEventLike, buf: unknown): void => {
    if (!trusted(event) || !channel) return;
    const msg = buf instanceof Uint8Array ? decodeMedia(buf) : new ProtocolError('media channel: a message that is not bytes');
    const problem = msg instanceof ProtocolError ? msg.message : channel.push(msg);
    if (problem) {
      channel.closed(problem);
      channel = attach();
    }
  };
  if (opts.media) opts.ipcMain.on(IPC_MEDIA_CHANNEL, onMedia);
  for (const method of API_METHODS) {
    opts.ipcMain.handle(IPC_PREFIX + method, async (event, params): Promise<RpcOutcome> => {
      if (!trusted(event)) return { ok: false, error: { code: 'auth-rejected', message: 'IPC call from an untrusted frame' } };
      return opts.dispatch(method, params);
    });
  }
  const forward = (event: keyof ApiEvents) => (data: unknown) => {
    if (!opts.target.isDestroyed()) opts.target.send(IPC_EVENT_CHANNEL, { type: 'evt', event, data });
  };
  const offs = [opts.events.on('state', forward('state')), opts.events.on('stats', forward('stats'))];
  let removed = false;
  return () => {
    if (removed) return;
    removed = true;
    for (const off of offs) off();
    if (opts.media) opts.ipcMain.removeListener(IPC_MEDIA_CHANNEL, onMedia);
    channel?.closed();
    channel = undefined;
    for (const method of API_METHODS) opts.ipcMain.removeHandler(IPC_PREFIX + method);
  };
}
