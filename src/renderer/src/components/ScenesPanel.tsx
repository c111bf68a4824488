import { useCallback, useState } from 'react';
import type { StudioApi } from '../../../shared/api';
import type { SceneDoc, StudioScene } from '../../../shared/scene/model';
import { editedSceneId } from '../../../shared/scene/studio-mode';
import { runAction } from '../actions';
import { useT } from '../i18n';
import { newId } from '../ids';
import { ContextMenu } from './ContextMenu';
import { NameEditor } from './NameEditor';

interface Props {
  api: StudioApi;
  doc: SceneDoc;
}

export function ScenesPanel({ api, doc }: Props) {
  const tr = useT();
  const [renaming, setRenaming] = useState<string | null>(null);
  const [menu, setMenu] = useState<{ scene: StudioScene; x: number; y: number } | null>(null);
  const closeMenu = useCallback(() => setMenu(null), []);
  const studio = doc.studioMode.enabled;
  // In studio mode a click picks the preview scene; Transition puts it on program.
  const chosen = editedSceneId(doc);
  const addScene = () => {
    const n = doc.scenes.length + 1;
    runAction(api.sceneOp({ op: 'addScene', id: newId('scene'), name: tr('scenes.defaultName', { n }) }));
  };
  const choose = (id: string) => runAction(studio ? api.sceneOp({ op: 'setPreviewScene', sceneId: id }) : api.setActiveScene({ id }));
  const remove = (s: StudioScene) => runAction(api.sceneOp({ op: 'removeScene', sceneId: s.id }));
  const duplicate = (s: StudioScene) => runAction(api.sceneOp({ op: 'duplicateScene', sceneId: s.id, newId: newId('scene'), name: tr('names.copy', { name: s.name }).slice(0, 120) }));
  return (
    <section className="panel" aria-labelledby="scenes-h">
      <div className="panel-head">
        <h2 id="scenes-h">{tr('scenes.title')}</h2>
        <button className="btn btn-quiet" onClick={addScene} title={tr('scenes.add')}>
          +
        </button>
      </div>
      <ul className="list" data-testid="scene-list">
        {doc.scenes.map((s, i) => (
          <li key={s.id} className="row-wrap" data-program={s.id === doc.activeSceneId || undefined} onContextMenu={(e) => {
            e.preventDefault();
            setMenu({ scene: s, x: e.clientX, y: e.clientY });
          }}>
            {renaming === s.id ? (
              <NameEditor name={s.name} onCommit={(name) => runAction(api.sceneOp({ op: 'renameScene', sceneId: s.id, name }))} onDone={() => setRenaming(null)} />
            ) : (
              <button
                className={`row ${s.id === chosen ? 'row-active' : ''}`}
                aria-pressed={s.id === chosen}
                onClick={() => choose(s.id)}
                onDoubleClick={() => setRenaming(s.id)}
                title={i < 9 ? tr('scenes.switch', { n: i + 1 }) : undefined}
              >
                <span className="row-name">{s.name}</span>
                {studio && s.id === doc.activeSceneId && <span className="pill pill-live small">{tr('studio.onProgram')}</span>}
              </button>
            )}
            {doc.scenes.length > 1 && (
              <button className="icon" aria-label={tr('scenes.remove', { name: s.name })} onClick={() => remove(s)}>
                ×
              </button>
            )}
          </li>
        ))}
      </ul>
      {menu && (
        <ContextMenu
          x={menu.x}
          y={menu.y}
          label={tr('menu.label', { name: menu.scene.name })}
          onClose={closeMenu}
          items={[
            { label: tr('menu.rename'), onSelect: () => setRenaming(menu.scene.id) },
            { label: tr('menu.duplicate'), onSelect: () => duplicate(menu.scene) },
            { label: tr('menu.remove'), onSelect: () => remove(menu.scene), disabled: doc.scenes.length === 1 },
          ]}
        />
      )}
      <div className="transition">
        <label>
          {tr('scenes.transition')}
          <select
            value={doc.transition.kind}
            onChange={(e) => runAction(api.setTransition({ kind: e.target.value === 'cut' ? 'cut' : 'fade', durationMs: doc.transition.durationMs || 300 }))}
          >
            <option value="cut">{tr('scenes.transition.cut')}</option>
            <option value="fade">{tr('scenes.transition.fade')}</option>
          </select>
        </label>
        {doc.transition.kind === 'fade' && (
          <label>
            {tr('scenes.transition.ms')}
            <input
              type="number"
              min={50}
              max={5000}
              step={50}
              value={doc.transition.durationMs}
              onChange={(e) => runAction(api.setTransition({ kind: 'fade', durationMs: Math.max(0, Math.min(10000, Number(e.target.value) || 0)) }))}
            />
          </label>
        )}
      </div>
    </section>
  );
}
