// The centre of the studio: the compositor's canvas with the editing overlay on the scene being
// edited and, in studio mode, the preview | program split with the Transition button
// (docs/ARCHITECTURE.md "Studio mode"). A drag in progress is shown by handing the compositor a
// document with the dragged transform (a draft); the engine hears of it once, at the drop.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { Settings, StudioApi, VideoSupport } from '../../../shared/api';
import type { SceneDoc, Transform } from '../../../shared/scene/model';
import { transformPatch, withTransform } from '../../../shared/scene/manipulate';
import { editedScene } from '../../../shared/scene/studio-mode';
import { runAction } from '../actions';
import { useT } from '../i18n';
import type { MediaLink } from '../engine/media-link';
import type { Program } from '../engine/program';
import { ProgramView } from './ProgramView';
import { PreviewOverlay, type Draft } from './PreviewOverlay';

interface Props {
  api: StudioApi;
  settings: Settings;
  doc: SceneDoc;
  capture: boolean;
  openLink: () => MediaLink | null;
  program: Program | null;
  onProgram: (p: Program | null) => void;
  reportVideo: (s: VideoSupport) => void;
  selected: string | null;
  onSelect: (id: string | null) => void;
}

export function Stage({ api, settings, doc, capture, openLink, program, onProgram, reportVideo, selected, onSelect }: Props) {
  const tr = useT();
  const [draft, setDraft] = useState<Draft | null>(null);
  const shown = useMemo(() => (draft ? withTransform(doc, draft.sceneId, draft.sourceId, draft.transform) : doc), [doc, draft]);
  // The edited scene as shown, the draft included: a gesture that starts before the document
  // shows the previous drop starts from where the user sees the source.
  const scene = editedScene(shown);
  const sceneId = scene?.id;
  const out = { width: settings.width, height: settings.height };
  // A dropped draft stays until the document has it (the op's answer and the state push come on
  // their own schedules), the op fails, or a second has passed with another document.
  const committed = useRef<Draft | null>(null);
  useEffect(() => {
    const c = committed.current;
    if (!c || draft !== c) return;
    const now = doc.scenes.find((s) => s.id === c.sceneId)?.sources.find((s) => s.id === c.sourceId)?.transform;
    if (!now || Object.keys(transformPatch(now, c.transform)).length === 0) {
      committed.current = null;
      setDraft(null);
    }
  }, [doc, draft]);
  const commit = (sourceId: string, patch: Partial<Transform>, dropped?: Transform): Promise<unknown> => {
    if (!sceneId) return Promise.resolve();
    const mine = dropped ? { sceneId, sourceId, transform: dropped } : null;
    committed.current = mine;
    if (mine) setDraft(mine);
    const drop = () => {
      if (committed.current !== mine || !mine) return;
      committed.current = null;
      setDraft((d) => (d === mine ? null : d));
    };
    const p = api.sceneOp({ op: 'setTransform', sceneId, sourceId, transform: patch });
    runAction(p);
    return p.then(
      () => void setTimeout(drop, 1000),
      () => drop(),
    );
  };
  const contentSize = (id: string) => program?.contentSize(id) ?? null;
  const studio = doc.studioMode.enabled;
  const programScene = doc.scenes.find((s) => s.id === doc.activeSceneId);
  const bar = studio ? (
    <div className="studio-bar" data-testid="studio-bar">
      <span className="studio-label">
        {tr('studio.preview', { name: scene?.name ?? '' })}
        {scene && scene.id === doc.activeSceneId && (
          <span className="studio-same" data-testid="same-scene">
            {tr('studio.sameScene')}
          </span>
        )}
      </span>
      <span className="studio-actions">
        <button className="btn btn-primary" data-testid="transition" title={tr('studio.transition.title')} onClick={() => runAction(api.sceneOp({ op: 'transitionToProgram' }))}>
          {tr('studio.transition')}
        </button>
        <label className="small" title={tr('studio.swap.title')}>
          <input type="checkbox" checked={doc.studioMode.swap} onChange={(e) => runAction(api.sceneOp({ op: 'setStudioMode', enabled: true, swap: e.target.checked }))} /> {tr('studio.swap')}
        </label>
      </span>
      <span className="studio-label studio-program">{tr('studio.program', { name: programScene?.name ?? '' })}</span>
    </div>
  ) : null;
  const overlay = scene ? (
    <PreviewOverlay scene={scene} out={out} selected={selected} onSelect={onSelect} draft={draft} onDraft={setDraft} commit={commit} contentSize={contentSize} />
  ) : null;
  return <ProgramView settings={settings} doc={shown} capture={capture} openLink={openLink} onProgram={onProgram} reportVideo={reportVideo} bar={bar} overlay={overlay} />;
}
