import { useCallback, useState } from 'react';
import type { StudioApi } from '../../../shared/api';
import type { SceneDoc, SceneSource, SourceKind } from '../../../shared/scene/model';
import { newSource } from '../../../shared/scene/ops';
import { editedScene } from '../../../shared/scene/studio-mode';
import { runAction } from '../actions';
import { useT } from '../i18n';
import { SourceProperties } from './SourceProperties';
import { LockIcon } from './icons';
import { newId } from '../ids';
import { ContextMenu } from './ContextMenu';
import { NameEditor } from './NameEditor';

interface Props {
  api: StudioApi;
  doc: SceneDoc;
  output: { width: number; height: number };
  /** The selected source of the edited scene (shared with the preview, which selects by click). */
  selected: string | null;
  onSelect: (id: string | null) => void;
}

const KINDS: SourceKind[] = ['camera', 'microphone', 'screen', 'image', 'text', 'color', 'media', 'clock'];

export function SourcesPanel({ api, doc, output, selected, onSelect: setSelected }: Props) {
  const tr = useT();
  // The scene being edited: in studio mode, the preview scene.
  const scene = editedScene(doc);
  const [adding, setAdding] = useState(false);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [menu, setMenu] = useState<{ source: SceneSource; x: number; y: number } | null>(null);
  const closeMenu = useCallback(() => setMenu(null), []);
  if (!scene) return null;
  const sel = scene.sources.find((s) => s.id === selected);
  const add = (kind: SourceKind) => {
    const label = tr(`sources.kind.${kind}`);
    const id = newId('src');
    runAction(api.sceneOp({ op: 'addSource', sceneId: scene.id, source: newSource(kind, id, label, output.width, output.height) }));
    setSelected(id);
    setAdding(false);
  };
  const op = (p: Promise<unknown>) => runAction(p);
  const remove = (src: SceneSource) => {
    op(api.sceneOp({ op: 'removeSource', sceneId: scene.id, sourceId: src.id }));
    if (src.id === selected) setSelected(null);
  };
  const duplicate = (src: SceneSource) => {
    const id = newId('src');
    op(api.sceneOp({ op: 'duplicateSource', sceneId: scene.id, sourceId: src.id, newId: id, name: tr('names.copy', { name: src.name }).slice(0, 120) }));
    setSelected(id);
  };
  // Top of the list = top of the stack: show the sources reversed.
  const ordered = [...scene.sources].reverse();
  return (
    <>
      <section className="panel" aria-labelledby="sources-h">
        <div className="panel-head">
          <h2 id="sources-h">{tr('sources.title')}</h2>
          <button className="btn btn-quiet" onClick={() => setAdding((a) => !a)} aria-expanded={adding} title={tr('sources.add')}>
            +
          </button>
        </div>
        {adding && (
          <div className="menu" role="menu">
            {KINDS.map((k) => (
              <button key={k} role="menuitem" className="row" onClick={() => add(k)}>
                {tr(`sources.kind.${k}`)}
              </button>
            ))}
          </div>
        )}
        <ul className="list" data-testid="source-list">
          {ordered.map((src: SceneSource) => {
            const index = scene.sources.indexOf(src);
            return (
              <li
                key={src.id}
                className="row-wrap"
                onContextMenu={(e) => {
                  e.preventDefault();
                  setSelected(src.id);
                  setMenu({ source: src, x: e.clientX, y: e.clientY });
                }}
              >
                {renaming === src.id ? (
                  <NameEditor name={src.name} onCommit={(name) => op(api.sceneOp({ op: 'renameSource', sceneId: scene.id, sourceId: src.id, name }))} onDone={() => setRenaming(null)} />
                ) : (
                  <button className={`row ${src.id === selected ? 'row-active' : ''}`} aria-pressed={src.id === selected} onClick={() => setSelected(src.id)} onDoubleClick={() => setRenaming(src.id)}>
                    <span className={`kind kind-${src.settings.kind}`}>{tr(`sources.badge.${src.settings.kind}`)}</span>
                    <span className={`row-name ${src.visible ? '' : 'muted'}`}>{src.name}</span>
                  </button>
                )}
                <button
                  className="icon"
                  aria-label={src.visible ? tr('sources.hide', { name: src.name }) : tr('sources.show', { name: src.name })}
                  aria-pressed={src.visible}
                  onClick={() => op(api.sceneOp({ op: 'setVisible', sceneId: scene.id, sourceId: src.id, visible: !src.visible }))}
                >
                  {src.visible ? '◉' : '○'}
                </button>
                <button
                  className="icon"
                  aria-label={src.locked ? tr('sources.unlock', { name: src.name }) : tr('sources.lock', { name: src.name })}
                  aria-pressed={src.locked}
                  onClick={() => op(api.sceneOp({ op: 'setLocked', sceneId: scene.id, sourceId: src.id, locked: !src.locked }))}
                >
                  <LockIcon locked={src.locked} />
                </button>
                <button className="icon" aria-label={tr('sources.raise', { name: src.name })} disabled={index === scene.sources.length - 1} onClick={() => op(api.sceneOp({ op: 'moveSource', sceneId: scene.id, sourceId: src.id, toIndex: index + 1 }))}>
                  ▲
                </button>
                <button className="icon" aria-label={tr('sources.lower', { name: src.name })} disabled={index === 0} onClick={() => op(api.sceneOp({ op: 'moveSource', sceneId: scene.id, sourceId: src.id, toIndex: index - 1 }))}>
                  ▼
                </button>
              </li>
            );
          })}
        </ul>
        {menu && (
          <ContextMenu
            x={menu.x}
            y={menu.y}
            label={tr('menu.label', { name: menu.source.name })}
            onClose={closeMenu}
            items={[
              { label: tr('menu.rename'), onSelect: () => setRenaming(menu.source.id) },
              { label: tr('menu.duplicate'), onSelect: () => duplicate(menu.source) },
              { label: tr('menu.remove'), onSelect: () => remove(menu.source) },
            ]}
          />
        )}
        <div className="undo">
          <button className="btn btn-quiet" onClick={() => op(api.undo())} title={tr('sources.undo.title')}>
            {tr('sources.undo')}
          </button>
          <button className="btn btn-quiet" onClick={() => op(api.redo())} title={tr('sources.redo.title')}>
            {tr('sources.redo')}
          </button>
        </div>
      </section>
      {sel && <SourceProperties key={sel.id} api={api} sceneId={scene.id} source={sel} onRemoved={() => setSelected(null)} />}
    </>
  );
}
