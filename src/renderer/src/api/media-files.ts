// Keeping a media file the user picked so the scene still has it after a reload
// (docs/ARCHITECTURE.md "Media files"): the desktop app keeps it by path (the preload's
// pathForFile, turned into a file:// URL); browser mode uploads it to the engine, which stores it
// in its data folder and answers with a `tandem-media:<uuid>.<ext>` reference
// (src/main/control/media-files.ts: POST /media-files?token=…&name=<file name>, body = the file).
// XMLHttpRequest rather than fetch: only it reports upload progress.
import { mediaBase } from '../engine/media-src';
import { MediaFileError, fileUrlFromPath, parseSrc, serverReason, uploadProblem } from './media-ref';

export { MediaFileError, type MediaFileProblem } from './media-ref';

export interface KeepOptions {
  onProgress?: (sent: number, total: number) => void;
  signal?: AbortSignal;
}

interface PathBridge {
  pathForFile?: unknown;
}

/** The scene's reference to a picked file: a file:// URL (desktop app) or an uploaded tandem-media: ref. */
export async function keepMediaFile(file: File, opts: KeepOptions = {}): Promise<string> {
  const bridge = (window as { tandem?: PathBridge }).tandem;
  if (bridge) {
    const pathFor = bridge.pathForFile;
    const path = typeof pathFor === 'function' ? (pathFor as (f: File) => unknown)(file) : undefined;
    if (typeof path !== 'string' || path === '') throw new MediaFileError('no-path', 'the desktop app gave no path for this file');
    return fileUrlFromPath(path);
  }
  const base = mediaBase();
  if (!base) throw new MediaFileError('unreachable', 'no engine to upload to');
  return upload(`${base.url}/media-files?token=${encodeURIComponent(base.token)}&name=${encodeURIComponent(file.name)}`, file, opts);
}

function upload(url: string, file: File, opts: KeepOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const onAbort = () => xhr.abort();
    const done = () => opts.signal?.removeEventListener('abort', onAbort);
    if (opts.signal?.aborted) return reject(new MediaFileError('cancelled', 'the upload was cancelled'));
    opts.signal?.addEventListener('abort', onAbort);
    xhr.open('POST', url);
    xhr.responseType = 'text';
    xhr.upload.onprogress = (e) => opts.onProgress?.(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onload = () => {
      done();
      const problem = uploadProblem(xhr.status);
      if (problem) return reject(new MediaFileError(problem, serverReason(xhr.responseText) ?? `status ${xhr.status}`, xhr.status));
      const src = parseSrc(xhr.responseText);
      if (!src) return reject(new MediaFileError('failed', 'the engine gave no media reference', xhr.status));
      resolve(src);
    };
    xhr.onerror = () => {
      done();
      reject(new MediaFileError('unreachable', 'the engine could not be reached'));
    };
    xhr.onabort = () => {
      done();
      reject(new MediaFileError('cancelled', 'the upload was cancelled'));
    };
    xhr.send(file);
  });
}
