import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { useT } from '../i18n';
import { groupSources, PickerController, type DisplayRequest, type DisplaySource, type PickerBridge } from '../display-picker';

/** Mounted once in the desktop app: opens whenever the shell asks which screen or window to capture. */
export function DisplayPickerHost({ bridge }: { bridge: PickerBridge }) {
  const ctl = useMemo(() => new PickerController(bridge), [bridge]);
  useEffect(() => () => ctl.dispose(), [ctl]);
  const request = useSyncExternalStore(
    (fn) => ctl.subscribe(fn),
    () => ctl.current(),
  );
  if (!request) return null;
  return <DisplayPickerDialog key={request.requestId} request={request} onChoose={(id) => ctl.choose(id)} onCancel={() => ctl.cancel()} />;
}

interface DialogProps {
  request: DisplayRequest;
  onChoose: (sourceId: string) => void;
  onCancel: () => void;
}

/** Screens and windows in two groups, with thumbnails; click to select, Share (or double-click) to capture. */
export function DisplayPickerDialog({ request, onChoose, onCancel }: DialogProps) {
  const tr = useT();
  const { screens, windows } = groupSources(request.sources);
  const [selected, setSelected] = useState<string | null>(null);
  const first = useRef<HTMLButtonElement | null>(null);
  useEffect(() => first.current?.focus(), []);
  const tile = (s: DisplaySource, i: number) => (
    <li key={s.id}>
      <button
        ref={i === 0 ? (el) => void (first.current ??= el) : undefined}
        type="button"
        className={`pick-tile ${selected === s.id ? 'pick-tile-on' : ''}`}
        aria-pressed={selected === s.id}
        onClick={() => setSelected(s.id)}
        onDoubleClick={() => onChoose(s.id)}
        data-testid="display-source"
        data-source-id={s.id}
      >
        {s.thumbnail ? <img src={s.thumbnail} alt="" /> : <span className="pick-thumb-none">{tr('picker.noThumbnail')}</span>}
        <span className="pick-name">{s.name}</span>
      </button>
    </li>
  );
  const group = (id: string, title: string, list: DisplaySource[]) => (
    <section className="pick-group" aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      {list.length === 0 ? <p className="muted small">{tr('picker.emptyGroup')}</p> : <ul className="pick-grid">{list.map(tile)}</ul>}
    </section>
  );
  return (
    <div className="modal-backdrop" role="presentation" onClick={onCancel}>
      <div
        className="modal form picker"
        role="dialog"
        aria-modal="true"
        aria-labelledby="picker-title"
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            onCancel();
          }
        }}
      >
        <h2 id="picker-title">{tr('picker.title')}</h2>
        {group('picker-screens', tr('picker.screens'), screens)}
        {group('picker-windows', tr('picker.windows'), windows)}
        <div className="form-actions">
          <button type="button" className="btn" onClick={onCancel}>
            {tr('button.cancel')}
          </button>
          <button type="button" className="btn btn-primary" disabled={selected === null} onClick={() => selected && onChoose(selected)}>
            {tr('picker.share')}
          </button>
        </div>
      </div>
    </div>
  );
}
