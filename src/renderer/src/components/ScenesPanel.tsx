import type { StudioApi } from '../../../shared/api';
import type { SceneDoc } from '../../../shared/scene/model';
import { runAction } from '../actions';
import { useT } from '../i18n';
import { newId } from '../ids';

interface Props {
  api: StudioApi;
  doc: SceneDoc;
}

export function ScenesPanel({ api, doc }: Props) {
  const tr = useT();
  const addScene = () => {
    const n = doc.scenes.length + 1;
    runAction(api.sceneOp({ op: 'addScene', id: newId('scene'), name: tr('scenes.defaultName', { n }) }));
  };
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
          <li key={s.id} className="row-wrap">
            <button
              className={`row ${s.id === doc.activeSceneId ? 'row-active' : ''}`}
              aria-pressed={s.id === doc.activeSceneId}
              onClick={() => runAction(api.setActiveScene({ id: s.id }))}
              title={i < 9 ? tr('scenes.switch', { n: i + 1 }) : undefined}
            >
              {s.name}
            </button>
            {doc.scenes.length > 1 && (
              <button className="icon" aria-label={tr('scenes.remove', { name: s.name })} onClick={() => runAction(api.sceneOp({ op: 'removeScene', sceneId: s.id }))}>
                ×
              </button>
            )}
          </li>
        ))}
      </ul>
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
