// Media files in a scene are kept by reference (docs/ARCHITECTURE.md "Media files"): `tandem-media:<id>`
// for a file the engine stores in its data folder (browser mode upload), `file:///…` for a file
// kept by path (desktop app). This turns a reference into a URL the page can load.

let current: { url: string; token: string } | undefined;

/** Browser mode: where the engine serves uploaded media, and this run's token. */
export function setMediaBase(url: string, token: string): void {
  current = { url, token };
}

export function mediaBase(): { url: string; token: string } | undefined {
  return current;
}

export function resolveMediaSrc(src: string): string | undefined {
  if (src === '') return undefined;
  const m = /^tandem-media:([A-Za-z0-9-]{1,64}\.[a-z0-9]{1,8})$/.exec(src);
  if (m) return current ? `${current.url}/media-files/${m[1]}?token=${encodeURIComponent(current.token)}` : undefined;
  if (src.startsWith('file://')) return src;
  return undefined;
}
