// A small typed event emitter (docs/ARCHITECTURE.md habit 4): every `on` returns its `off`, and
// `removeAll()` is what close() calls. Listener errors are isolated from the emitter.

export type EventMap = Record<string, (...args: never[]) => void>;

export class TypedEmitter<E extends { [K in keyof E]: (...args: never[]) => void }> {
  private readonly listeners = new Map<keyof E, Set<E[keyof E]>>();

  on<K extends keyof E>(event: K, fn: E[K]): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(fn);
    return () => this.off(event, fn);
  }

  once<K extends keyof E>(event: K, fn: E[K]): () => void {
    const wrapped = ((...args: Parameters<E[K]>) => {
      off();
      (fn as (...a: Parameters<E[K]>) => void)(...args);
    }) as unknown as E[K];
    const off = this.on(event, wrapped);
    return off;
  }

  off<K extends keyof E>(event: K, fn: E[K]): void {
    this.listeners.get(event)?.delete(fn);
  }

  protected emit<K extends keyof E>(event: K, ...args: Parameters<E[K]>): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        (fn as (...a: Parameters<E[K]>) => void)(...args);
      } catch (err) {
        // A broken listener must not break the media path.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  listenerCount<K extends keyof E>(event: K): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  removeAllListeners(): void {
    this.listeners.clear();
  }
}
