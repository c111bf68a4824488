// The output clock's heartbeat, in a dedicated Worker: a hidden or minimised page throttles its
// main-thread timers to about one per second (measured in Chromium 156: 1/s, then fewer), but
// not a worker's timers, nor the messages a worker posts to the page. So the program's frames
// (compose, VideoFrame, encode) keep the output rate while the studio window is hidden.
// docs/ARCHITECTURE.md "Media path". Messages: in {fps} (0 stops), out {t: performance.now()}.
const scope = globalThis as unknown as { postMessage(msg: unknown): void; onmessage: ((ev: MessageEvent<{ fps: number }>) => void) | null };

let timer: ReturnType<typeof setTimeout> | undefined;
let intervalMs = 0;
let start = 0;
let next = 0;

function schedule(): void {
  if (intervalMs <= 0) return;
  const now = performance.now();
  // Catch up without bursting: a late timer skips to the next due slot.
  if (now - (start + next * intervalMs) > intervalMs) next = Math.floor((now - start) / intervalMs);
  next++;
  timer = setTimeout(() => {
    scope.postMessage({ t: performance.now() });
    schedule();
  }, Math.max(0, start + next * intervalMs - now));
}

scope.onmessage = (ev) => {
  clearTimeout(timer);
  intervalMs = ev.data.fps > 0 ? 1000 / ev.data.fps : 0;
  start = performance.now();
  next = 0;
  schedule();
};
