// Small inline icons (no icon font: emoji glyphs are missing on many Linux installs).
export function LockIcon({ locked }: { locked: boolean }) {
  return (
    <svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true">
      <rect x="2" y="5.5" width="8" height="5.5" rx="1" fill="currentColor" />
      <path d={locked ? 'M3.8 5.5V4a2.2 2.2 0 0 1 4.4 0v1.5' : 'M3.8 5.5V4a2.2 2.2 0 0 1 4.4 0'} stroke="currentColor" strokeWidth="1.3" fill="none" />
    </svg>
  );
}
