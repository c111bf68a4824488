import type { Scene, Settings } from '../../../shared/api';

interface Props {
  settings: Settings;
  scene: Scene | undefined;
}

/** The program preview. The WebGL2 compositor draws into this frame (studio issue, part 1). */
export function Preview({ settings, scene }: Props) {
  return (
    <div className="preview-wrap">
      <div className="preview" style={{ aspectRatio: `${settings.width} / ${settings.height}` }} data-testid="preview">
        <div className="preview-label">
          <strong>{scene?.name ?? 'No scene'}</strong>
          <span>
            {settings.width}×{settings.height} · {settings.fps} fps · {settings.videoBitrateKbps} kbit/s
          </span>
        </div>
      </div>
    </div>
  );
}
