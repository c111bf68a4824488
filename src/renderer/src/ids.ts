/** A short unique id for new scenes and sources (called from event handlers). */
export function newId(prefix: string): string {
  const rand = crypto.getRandomValues(new Uint32Array(1))[0] ?? 0;
  return `${prefix}-${Date.now().toString(36)}-${rand.toString(36)}`;
}
