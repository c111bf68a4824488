import type { Scene, StudioApi } from '../../../shared/api';

interface Props {
  api: StudioApi;
  scenes: Scene[];
  activeSceneId: string;
}

export function ScenesPanel({ api, scenes, activeSceneId }: Props) {
  const active = scenes.find((s) => s.id === activeSceneId);
  return (
    <>
      <section className="panel" aria-labelledby="scenes-h">
        <h2 id="scenes-h">Scenes</h2>
        <ul className="list" data-testid="scene-list">
          {scenes.map((s) => (
            <li key={s.id}>
              <button
                className={`row ${s.id === activeSceneId ? 'row-active' : ''}`}
                aria-pressed={s.id === activeSceneId}
                onClick={() => void api.setActiveScene({ id: s.id })}
              >
                {s.name}
              </button>
            </li>
          ))}
        </ul>
      </section>
      <section className="panel" aria-labelledby="sources-h">
        <h2 id="sources-h">Sources</h2>
        <ul className="list" data-testid="source-list">
          {active?.sources.map((src) => (
            <li key={src.id} className="row row-static">
              <span className={`kind kind-${src.kind}`}>{src.kind}</span>
              <span>{src.name}</span>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
