// The program: keeps one runtime per scene source, runs the compositor on a steady clock,
// cross-fades on scene switches, and while capturing sends I420 frames and the mixer's PCM to
// the engine with capture timestamps on one wall clock.
import type { SceneDoc, SceneSource, StudioScene } from '../../../shared/scene/model';
import { FrameClock } from '../../../shared/frame-clock';
import { Compositor, type DrawLayer } from './compositor';
import { createRuntime, type SourceRuntime } from './layers';
import type { MediaLink } from './media-link';
import { Mixer } from './mixer';

export interface ProgramStats {
  fps: number;
  framesRendered: number;
  framesDropped: number;
  framesLate: number;
  readbackDrops: number;
  linkDrops: number;
  framesSent: number;
  bytesSent: number;
}

const wallUs = (perfMs: number): number => Math.round((performance.timeOrigin + perfMs) * 1000);

export class Program {
  readonly compositor: Compositor;
  readonly mixer = new Mixer();
  private readonly clock: FrameClock;
  private readonly runtimes = new Map<string, SourceRuntime>();
  private doc: SceneDoc | null = null;
  private fade: { from: StudioScene; startMs: number; durationMs: number } | null = null;
  private link: MediaLink | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private framesSent = 0;
  private running = true;

  constructor(
    canvas: HTMLCanvasElement,
    readonly fps: number,
  ) {
    this.compositor = new Compositor(canvas, canvas.width, canvas.height);
    this.clock = new FrameClock(fps, performance.now());
    this.schedule();
  }

  /** Adopt a new scene document: create/dispose runtimes, start a transition on scene change. */
  setDoc(doc: SceneDoc): void {
    const prev = this.doc;
    this.doc = doc;
    const live = new Set<string>();
    for (const scene of doc.scenes) {
      for (const src of scene.sources) {
        live.add(src.id);
        if (!this.runtimes.has(src.id)) this.addRuntime(src);
      }
    }
    for (const [id, rt] of this.runtimes) {
      if (!live.has(id)) {
        this.mixer.remove(id);
        rt.dispose();
        this.runtimes.delete(id);
      }
    }
    if (prev && prev.activeSceneId !== doc.activeSceneId) {
      const from = prev.scenes.find((s) => s.id === prev.activeSceneId);
      if (from && doc.transition.kind === 'fade' && doc.transition.durationMs > 0) {
        this.fade = { from, startMs: performance.now(), durationMs: doc.transition.durationMs };
      }
    }
  }

  /** Start or stop sending frames and audio to the engine. */
  async setLink(link: MediaLink | null): Promise<void> {
    this.link?.close();
    this.link = link;
    if (link) {
      await this.mixer.start((pcm, rate, ch, t) => this.link?.sendAudio(rate, ch, t, pcm));
    } else this.mixer.stop();
  }

  stats(): ProgramStats {
    return {
      fps: this.fps,
      framesRendered: this.clock.framesRendered,
      framesDropped: this.clock.framesDropped,
      framesLate: this.clock.framesLate,
      readbackDrops: this.compositor.readbackDrops,
      linkDrops: this.link?.videoDropped ?? 0,
      framesSent: this.framesSent,
      bytesSent: this.link?.bytesSent ?? 0,
    };
  }

  dispose(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.link?.close();
    for (const rt of this.runtimes.values()) rt.dispose();
    this.runtimes.clear();
    this.compositor.dispose();
    void this.mixer.close();
  }

  private addRuntime(src: SceneSource): void {
    const rt = createRuntime(this.compositor.gl, src);
    this.runtimes.set(src.id, rt);
    if (rt.media && src.settings.kind === 'media') this.mixer.addElement(src.id, src.name, rt.media);
  }

  private layersOf(scene: StudioScene | undefined, nowMs: number): DrawLayer[] {
    const out: DrawLayer[] = [];
    for (const src of scene?.sources ?? []) {
      if (!src.visible) continue;
      const rt = this.runtimes.get(src.id);
      const layer = rt?.layer(src, nowMs);
      if (rt?.stream && !this.mixer.has(src.id)) this.mixer.addStream(src.id, src.name, rt.stream);
      if (layer) out.push(layer);
    }
    return out;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => this.frame(), this.clock.delayUntilNext(performance.now()));
  }

  private frame(): void {
    const now = performance.now();
    const tick = this.clock.tick(now);
    if (tick && this.doc) {
      const wallMs = performance.timeOrigin + tick.timeMs;
      const current = this.doc.scenes.find((s) => s.id === this.doc?.activeSceneId);
      let previous: { layers: DrawLayer[]; mix: number } | undefined;
      if (this.fade) {
        const mix = (now - this.fade.startMs) / this.fade.durationMs;
        if (mix >= 1) this.fade = null;
        else previous = { layers: this.layersOf(this.fade.from, wallMs), mix };
      }
      this.compositor.compose(this.layersOf(current, wallMs), previous);
      this.compositor.present();
      if (this.link) this.compositor.capture(wallUs(tick.timeMs));
    }
    for (const f of this.compositor.collect()) {
      if (this.link?.sendVideo(f.width, f.height, f.captureTimeUs, f.data)) this.framesSent++;
    }
    this.schedule();
  }
}
