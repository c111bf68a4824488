// The program: keeps one runtime per scene source, runs the compositor on a steady clock,
// cross-fades on scene switches, and while capturing sends I420 frames and the mixer's PCM to
// the engine with capture timestamps on one wall clock.
import type { SceneDoc, SceneSource, StudioScene } from '../../../shared/scene/model';
import { FrameClock } from '../../../shared/frame-clock';
import { MEDIA_HEADER } from '../../../shared/media-wire';
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
  /** Mean milliseconds per frame spent composing + presenting, converting + reading back, sending. */
  ms: { render: number; capture: number; send: number };
}

/** Exponentially weighted mean, for per-stage timings. */
class Ewma {
  value = 0;
  add(x: number): void {
    this.value = this.value === 0 ? x : this.value * 0.9 + x * 0.1;
  }
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
  private readonly tRender = new Ewma();
  private readonly tCapture = new Ewma();
  private readonly tSend = new Ewma();
  private running = true;
  private software = false;

  constructor(
    canvas: HTMLCanvasElement,
    readonly fps: number,
  ) {
    this.compositor = new Compositor(canvas, canvas.width, canvas.height);
    // Software GL (no GPU, e.g. SwiftShader): every full-frame pass costs CPU, and showing the
    // preview makes the page compositor read the canvas back too. Measured at 720p30 on 2 cores
    // (8 s of capture): frames reaching the engine were 37 with sync readback + preview every
    // frame, 43 with PBO + preview, 86 with PBO and no preview. So while capturing on software GL
    // the preview refreshes every third frame; readback stays asynchronous (PBO + fence).
    this.software = isSoftwareGl(this.compositor.gl);
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
      ms: { render: this.tRender.value, capture: this.tCapture.value, send: this.tSend.value },
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
      const previewEvery = this.software && this.link ? 3 : 1;
      if (tick.index % previewEvery === 0) this.compositor.present();
      const t1 = performance.now();
      this.tRender.add(t1 - now);
      if (this.link) {
        this.compositor.capture(wallUs(tick.timeMs), MEDIA_HEADER);
        this.tCapture.add(performance.now() - t1);
      }
    }
    const t2 = performance.now();
    const frames = this.compositor.collect(MEDIA_HEADER);
    for (const f of frames) {
      if (this.link?.sendVideo(f.width, f.height, f.captureTimeUs, f.data)) this.framesSent++;
    }
    if (frames.length) this.tSend.add(performance.now() - t2);
    this.schedule();
  }
}

function isSoftwareGl(gl: WebGL2RenderingContext): boolean {
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  return /swiftshader|llvmpipe|software|softpipe/i.test(renderer);
}
