// Test doubles of Electron's ipcMain / ipcRenderer / webContents, wired to each other the way
// Electron wires them: invoke → handler(event with sender + senderFrame), send → renderer listeners.
import type { IpcInvokeEventLike, IpcMainLike, WebContentsLike } from '../../src/main/control/ipc';
import type { IpcRendererLike } from '../../src/preload/api';

type Handler = (event: IpcInvokeEventLike, ...args: unknown[]) => unknown;
type RendererListener = (event: unknown, ...args: unknown[]) => void;

export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Handler>();
  readonly listeners = new Map<string, Set<Handler>>();
  on(channel: string, listener: Handler): this {
    let s = this.listeners.get(channel);
    if (!s) this.listeners.set(channel, (s = new Set()));
    s.add(listener);
    return this;
  }
  removeListener(channel: string, listener: Handler): this {
    this.listeners.get(channel)?.delete(listener);
    return this;
  }
  handle(channel: string, listener: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
}

export class FakeWebContents implements WebContentsLike {
  destroyed = false;
  readonly listeners = new Map<string, Set<RendererListener>>();
  constructor(readonly id: number) {}
  isDestroyed(): boolean {
    return this.destroyed;
  }
  send(channel: string, ...args: unknown[]): void {
    for (const fn of this.listeners.get(channel) ?? []) fn({ sender: this }, ...args);
  }
}

export interface FrameIdentity {
  senderId: number;
  url: string;
  parent?: unknown;
}

export class FakeIpcRenderer implements IpcRendererLike {
  constructor(
    private readonly main: FakeIpcMain,
    private readonly contents: FakeWebContents,
    public frame: FrameIdentity,
  ) {}
  async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    const h = this.main.handlers.get(channel);
    if (!h) throw new Error(`No handler registered for '${channel}'`);
    const senderFrame = this.frame.parent === undefined ? { url: this.frame.url } : { url: this.frame.url, parent: this.frame.parent };
    // Electron structured-clones arguments and results; so do we.
    const event: IpcInvokeEventLike = { sender: { id: this.frame.senderId }, senderFrame };
    return structuredClone(await h(event, ...args.map((a) => structuredClone(a))));
  }
  send(channel: string, ...args: unknown[]): void {
    const senderFrame = this.frame.parent === undefined ? { url: this.frame.url } : { url: this.frame.url, parent: this.frame.parent };
    for (const fn of this.main.listeners.get(channel) ?? []) fn({ sender: { id: this.frame.senderId }, senderFrame }, ...args.map((a) => structuredClone(a)));
  }
  on(channel: string, listener: RendererListener): this {
    let s = this.contents.listeners.get(channel);
    if (!s) this.contents.listeners.set(channel, (s = new Set()));
    s.add(listener);
    return this;
  }
  removeListener(channel: string, listener: RendererListener): this {
    this.contents.listeners.get(channel)?.delete(listener);
    return this;
  }
}
