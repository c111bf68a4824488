// Media files of browser mode (docs/ARCHITECTURE.md "Media files"): a file the user picks in the
// page is uploaded once and kept in the data folder (`<dataDir>/media/<uuid>.<ext>`), so a scene
// survives a reload; the scene refers to it as `tandem-media:<uuid>.<ext>`. The page plays it from
// GET /media-files/<name>?token=… (Range requests, as <video> seeks and loops with them).
//   POST /media-files?token=…&name=<original file name>   body: the file   → 201 {"src": "tandem-media:…"}
// The token is checked by the server before these handlers run. Only audio/video extensions are
// taken, up to MAX_UPLOAD bytes; a partial upload never appears under its final name.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { extname, join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const MAX_UPLOAD = 4 * 1024 * 1024 * 1024;

const TYPES: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.mov': 'video/quicktime',
  '.webm': 'video/webm',
  '.mkv': 'video/x-matroska',
  '.ogv': 'video/ogg',
  '.mp3': 'audio/mpeg',
  '.m4a': 'audio/mp4',
  '.aac': 'audio/aac',
  '.wav': 'audio/wav',
  '.ogg': 'audio/ogg',
  '.opus': 'audio/ogg',
  '.flac': 'audio/flac',
};

/** `<uuid>.<ext>` as stored: nothing else may be asked for (no paths, no dots to climb). */
const STORED = /^[0-9a-f-]{36}\.[a-z0-9]{2,5}$/;

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(text);
}

export async function handleMediaFiles(req: IncomingMessage, res: ServerResponse, url: URL, dir: string): Promise<void> {
  if (url.pathname === '/media-files' && req.method === 'POST') return upload(req, res, url, dir);
  const name = decodeURIComponent(url.pathname.slice('/media-files/'.length));
  if ((req.method === 'GET' || req.method === 'HEAD') && STORED.test(name)) return serve(req, res, join(dir, name));
  reply(res, req.method === 'GET' || req.method === 'HEAD' ? 404 : 405, { error: 'no such media file' });
}

async function upload(req: IncomingMessage, res: ServerResponse, url: URL, dir: string): Promise<void> {
  const ext = extname(url.searchParams.get('name') ?? '').toLowerCase();
  if (!TYPES[ext]) return reply(res, 415, { error: `not an audio or video file: '${ext || 'no extension'}'` });
  const length = Number(req.headers['content-length'] ?? NaN);
  if (!Number.isFinite(length) || length <= 0) return reply(res, 411, { error: 'the upload needs a Content-Length' });
  if (length > MAX_UPLOAD) return reply(res, 413, { error: `the file is larger than ${MAX_UPLOAD / 2 ** 30} GiB` });
  await mkdir(dir, { recursive: true });
  const name = `${randomUUID()}${ext}`;
  const part = join(dir, `.${name}.part`);
  const ok = await new Promise<boolean>((resolve) => {
    let received = 0;
    const out = createWriteStream(part, { mode: 0o600 });
    req.on('data', (c: Buffer) => {
      received += c.length;
      if (received > length) req.destroy();
    });
    req.pipe(out);
    out.on('finish', () => resolve(received === length));
    out.on('error', () => resolve(false));
    req.on('aborted', () => resolve(false));
    req.on('error', () => resolve(false));
  });
  if (!ok) {
    await rm(part, { force: true });
    if (!res.headersSent) reply(res, 400, { error: 'the upload was cut short' });
    return;
  }
  await rename(part, join(dir, name));
  reply(res, 201, { src: `tandem-media:${name}` });
}

async function serve(req: IncomingMessage, res: ServerResponse, file: string): Promise<void> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    return reply(res, 404, { error: 'no such media file' });
  }
  const type = TYPES[extname(file)] ?? 'application/octet-stream';
  const range = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? ''));
  let start = 0;
  let end = size - 1;
  let status = 200;
  if (range && (range[1] || range[2])) {
    if (range[1]) {
      start = Number(range[1]);
      if (range[2]) end = Math.min(size - 1, Number(range[2]));
    } else start = Math.max(0, size - Number(range[2])); // suffix range: the last N bytes
    if (start > end || start >= size) {
      res.writeHead(416, { 'Content-Range': `bytes */${size}` });
      res.end();
      return;
    }
    status = 206;
  }
  const headers: Record<string, string> = {
    'Content-Type': type,
    'Content-Length': String(end - start + 1),
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  };
  if (status === 206) headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
  res.writeHead(status, headers);
  if (req.method === 'HEAD' || size === 0) return void res.end();
  const stream = createReadStream(file, { start, end });
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
