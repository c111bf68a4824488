// Fire-and-forget API calls from UI events: failures surface in the toast line, never silently.
type Listener = (message: string | null) => void;
const listeners = new Set<Listener>();

export function onActionError(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function runAction(p: Promise<unknown>): void {
  p.then(() => undefined, reportError);
}

/** Shows a failure in the toast line. */
export function reportError(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  for (const fn of listeners) fn(message);
}
