// Fire-and-forget API calls from UI events: failures surface in the toast line, never silently.
// The error itself goes to the listener, which words it in the UI's language (error-text.ts).
type Listener = (err: unknown) => void;
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
  for (const fn of listeners) fn(err);
}
