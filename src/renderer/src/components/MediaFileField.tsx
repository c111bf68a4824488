import { useEffect, useRef, useState } from 'react';
import { useT } from '../i18n';
import { keepMediaFile, MediaFileError, type MediaFileProblem } from '../api/media-files';

interface Props {
  /** The source's current reference: '', `tandem-media:…` or `file:///…`. */
  value: string;
  /** Called with the new reference once the file is kept (uploaded, or its path taken). */
  onKept: (src: string) => void;
}

type Phase = { kind: 'idle' } | { kind: 'uploading'; name: string; sent: number; total: number } | { kind: 'error'; problem: MediaFileProblem };

/** What the source plays now, in words: a file name for a path, or where an upload is kept. */
function useCurrent(value: string): string {
  const tr = useT();
  if (value === '') return tr('props.media.none');
  if (value.startsWith('tandem-media:')) return tr('props.media.stored');
  if (value.startsWith('file://')) {
    const last = value.split('/').pop() ?? value;
    try {
      return decodeURIComponent(last);
    } catch {
      return last;
    }
  }
  return value;
}

/**
 * The media file of a media source: kept by path in the desktop app, uploaded to the engine in
 * browser mode (progress shown, cancellable), so the scene still has it after a reload.
 */
export function MediaFileField({ value, onKept }: Props) {
  const tr = useT();
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const abort = useRef<AbortController | null>(null);
  const current = useCurrent(value);
  // An upload keeps going when the panel closes (the source still gets its file); it only stops
  // updating this field.
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const update = (p: Phase) => mounted.current && setPhase(p);
  const choose = (file: File) => {
    abort.current?.abort();
    const ctl = new AbortController();
    abort.current = ctl;
    update({ kind: 'uploading', name: file.name, sent: 0, total: file.size });
    keepMediaFile(file, { signal: ctl.signal, onProgress: (sent, total) => update({ kind: 'uploading', name: file.name, sent, total }) }).then(
      (src) => {
        if (abort.current === ctl) abort.current = null;
        update({ kind: 'idle' });
        onKept(src);
      },
      (err: unknown) => {
        if (abort.current !== ctl && err instanceof MediaFileError && err.problem === 'cancelled') return; // replaced by a newer pick
        if (abort.current === ctl) abort.current = null;
        update({ kind: 'error', problem: err instanceof MediaFileError ? err.problem : 'failed' });
      },
    );
  };
  const percent = phase.kind === 'uploading' && phase.total > 0 ? Math.floor((phase.sent / phase.total) * 100) : 0;
  return (
    <div className="fields" data-testid="media-file">
      <label className="field">
        {tr('props.videoFile')}
        <input
          type="file"
          accept="video/*,audio/*"
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = ''; // the same file can be picked again after an error
            if (f) choose(f);
          }}
        />
      </label>
      <span className="hint" data-testid="media-current">
        {current}
      </span>
      {phase.kind === 'uploading' && (
        <div className="upload" role="status">
          <progress max={100} value={percent} aria-label={tr('props.media.uploading', { name: phase.name, percent })} />
          <span className="small">{tr('props.media.uploading', { name: phase.name, percent })}</span>
          <button className="btn btn-quiet" onClick={() => abort.current?.abort()}>
            {tr('button.cancel')}
          </button>
        </div>
      )}
      {phase.kind === 'error' && (
        <span className="form-error" role="alert">
          {tr(`props.media.error.${phase.problem}`)}
        </span>
      )}
    </div>
  );
}
