// The program: keeps one runtime per scene source, runs the compositor on the output clock (a
// Worker's heartbeat: clock.worker.ts, so a hidden window keeps the rate), cross-fades on scene
// switches, and while capturing sends the engine what it asks for (docs/ARCHITECTURE.md "Media
// path"): on the WebCodecs path one VideoFrame per tick to the encoder groups (video-encoders.ts,
// run by the media link),
// on the ffmpeg path I420 frames read back from the GPU; and the mixer's PCM, all with capture
// timestamps on one wall clock.
import type { SceneDoc, SceneSource, StudioScene } from '../../../shared/scene/model';
import { FrameClock, type FrameTick } from '../../../shared/frame-clock';
import { MEDIA_HEADER } from '../../../shared/media-wire';
import { Compositor, type DrawLayer } from './compositor';
import { createRuntime, type SourceRuntime } from './layers';
import type { MediaLink } from './media-link';
import { Mixer } from './mixer';
import { mixerTargets, type AudioView, type ChannelParams } from './audio-plan';
import type { EncoderSetStats } from './video-encoders';
import type { MediaControl } from '../../../shared/media-wire';
import ClockWorker from './clock.worker.ts?worker';

export interface ProgramStats {
  fps: number;
  framesRendered: number;
  framesDropped: number;
  framesLate: number;
  readbackDrops: number;
  /** WebCodecs: ticks that re-encoded the previous picture because a new one was not ready. */
  framesRepeated: number;
  linkDrops: number;
  framesSent: number;
  bytesSent: number;
  /** Mean milliseconds per frame spent composing + presenting, converting + reading back / making the VideoFrame, sending. */
  ms: { render: number; capture: number; send: number };
  /** How video leaves the renderer while capturing. */
  path: 'webcodecs' | 'ffmpeg' | 'idle';
  encoders: EncoderSetStats;
}

export interface ProgramOptions {
  /** WebCodecs cannot encode here (or broke twice): the engine should use its ffmpeg path. */
  onWebCodecsFailure: (reason: string) => void;
}

/** Exponentially weighted mean, for per-stage timings. */
class Ewma {
  value = 0;
  add(x: number): void {
    this.value = this.value === 0 ? x : this.value * 0.9 + x * 0.1;
  }
}

const SILENT: ChannelParams = { gain: 0, delaySec: 0 };

const wallUs = (perfMs: number): number => Math.round((performance.timeOrigin + perfMs) * 1000);

export class Program {
  readonly compositor: Compositor;
  readonly mixer = new Mixer();
  private readonly clock: FrameClock;
  private readonly runtimes = new Map<string, SourceRuntime>();
  private doc: SceneDoc | null = null;
  /** What each mixer channel should do now (program scene's sources; others are silent). */
  private audioTargets = new Map<string, ChannelParams>();
  private audioView: AudioView | undefined;
  private fade: { from: StudioScene; startMs: number; durationMs: number } | null = null;
  private link: MediaLink | null = null;
  private offControl: (() => void) | undefined;
  private readonly clockWorker: Worker;
  private path: 'webcodecs' | 'ffmpeg' = 'ffmpeg';
  private offFailure: (() => void) | undefined;
  private framesSent = 0;
  private framesRepeated = 0;
  /** The last picture given to the encoders (WebCodecs), for ticks that find no new one ready. */
  private lastFrame: VideoFrame | undefined;
  private lastFrameUs = 0;
  /** Timestamp of the last frame given to the encoders, new or repeated (they must increase). */
  private lastEncodedUs = 0;
  private readonly tRender = new Ewma();
  private readonly tCapture = new Ewma();
  private readonly tSend = new Ewma();
  private running = true;
  private software = false;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    readonly fps: number,
    private readonly opts: ProgramOptions,
  ) {
    this.compositor = new Compositor(canvas, canvas.width, canvas.height);
    // Software GL (no GPU, e.g. SwiftShader): every full-frame pass costs CPU, and showing the
    // preview makes the page compositor read the canvas back too. Measured at 720p30 on 2 cores
    // (8 s of capture): frames reaching the engine were 37 with sync readback + preview every
    // frame, 43 with PBO + preview, 86 with PBO and no preview. So while capturing on software GL
    // the preview refreshes every third frame.
    // Readback is synchronous there: a PBO fence only signals once the GPU process has run the
    // commands before it, and for a hidden page (minimised window) it does not run them until
    // something waits on it, so the fences never signalled and video stopped. Measured on the
    // WebCodecs path (720p30, default scene, load 6-7, 8 s windows, chunks/s at the engine):
    // PBO 9.0 / 7.7 visible and 2.9 / 4.1 hidden, capture → packet p50 410-530 ms; sync 15-22
    // visible and 16-22 hidden, p50 100-200 ms.
    this.software = isSoftwareGl(this.compositor.gl);
    if (this.software) this.compositor.readback = 'sync';
    this.clock = new FrameClock(fps, performance.now());
    this.clockWorker = new ClockWorker();
    this.clockWorker.onmessage = () => this.frame();
    this.clockWorker.postMessage({ fps });
  }

  /** Adopt a new scene document: create/dispose runtimes, start a transition on scene change. */
  setDoc(doc: SceneDoc): void {
    const prev = this.doc;
    this.doc = doc;
    this.compositor.setSplit(doc.studioMode.enabled);
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
        this.contentSizes.delete(id);
        rt.dispose();
        this.runtimes.delete(id);
      }
    }
    this.refreshAudio();
    if (prev && prev.activeSceneId !== doc.activeSceneId) {
      const from = prev.scenes.find((s) => s.id === prev.activeSceneId);
      if (from && doc.transition.kind === 'fade' && doc.transition.durationMs > 0) {
        this.fade = { from, startMs: performance.now(), durationMs: doc.transition.durationMs };
      }
    }
  }

  /** Lets the mixer panel show a fader move at once, before the engine confirms it. */
  setAudioView(view: AudioView | undefined): void {
    this.audioView = view;
    this.refreshAudio();
  }

  /** Re-applies the document's (and the panel's) gain, mute and sync offset to every channel. */
  refreshAudio(): void {
    if (!this.doc) return;
    this.audioTargets = mixerTargets(this.doc, this.audioView);
    for (const id of this.mixer.ids()) this.mixer.apply(id, this.audioTargets.get(id) ?? SILENT);
  }

  /** Start or stop sending media to the engine. */
  async setLink(link: MediaLink | null): Promise<void> {
    this.offControl?.();
    this.offFailure?.();
    this.offControl = undefined;
    this.offFailure = undefined;
    this.link?.close();
    this.lastFrame?.close();
    this.lastFrame = undefined;
    this.link = link;
    if (link) {
      this.offControl = link.onControl((m) => this.onControl(m));
      this.offFailure = link.onFailure((reason) => this.opts.onWebCodecsFailure(reason));
      await this.mixer.start((pcm, rate, ch, t) => this.link?.sendAudio(rate, ch, t, pcm));
    } else this.mixer.stop();
  }

  /** The link runs the encoders; the program follows which path the engine wants. */
  private onControl(m: MediaControl): void {
    if (m.type === 'encoders') this.path = m.path;
  }

  private get encoding(): number {
    return this.link?.encoding ?? 0;
  }

  stats(): ProgramStats {
    return {
      fps: this.fps,
      framesRendered: this.clock.framesRendered,
      framesDropped: this.clock.framesDropped,
      framesLate: this.clock.framesLate,
      readbackDrops: this.compositor.readbackDrops,
      framesRepeated: this.framesRepeated,
      linkDrops: this.link?.videoDropped ?? 0,
      framesSent: this.framesSent,
      bytesSent: this.link?.bytesSent ?? 0,
      ms: { render: this.tRender.value, capture: this.tCapture.value, send: this.tSend.value },
      path: this.link ? this.path : 'idle',
      encoders: this.link?.encoderStats ?? { encoders: 0, dropped: 0, restarts: 0, lastError: undefined },
    };
  }

  dispose(): void {
    this.running = false;
    this.clockWorker.terminate();
    this.offControl?.();
    this.offFailure?.();
    this.lastFrame?.close();
    this.link?.close();
    for (const rt of this.runtimes.values()) rt.dispose();
    this.runtimes.clear();
    this.compositor.dispose();
    void this.mixer.close();
  }

  private addRuntime(src: SceneSource): void {
    const rt = createRuntime(this.compositor.gl, src);
    this.runtimes.set(src.id, rt);
    if (rt.media && src.settings.kind === 'media') {
      this.mixer.setElement(src.id, rt.media);
      this.mixer.apply(src.id, this.audioTargets.get(src.id) ?? SILENT);
    }
  }

  /** Streams with sound (camera, microphone, screen) open asynchronously and reopen on a device change: follow them. */
  private followStreams(): void {
    for (const [id, rt] of this.runtimes) {
      if (rt.media && rt.stream === undefined && this.mixer.inputOf(id) === rt.media) continue; // a media file's element
      const stream = rt.stream ?? null;
      if (!this.mixer.has(id) && !stream) continue;
      if (this.mixer.inputOf(id) === stream) continue;
      this.mixer.setStream(id, stream);
      this.mixer.apply(id, this.audioTargets.get(id) ?? SILENT);
    }
  }

  /** The layers of a scene (the program's, or studio mode's preview, which is seen, not heard: audio-plan.ts). */
  private layersOf(scene: StudioScene | undefined, nowMs: number): DrawLayer[] {
    const out: DrawLayer[] = [];
    for (const src of scene?.sources ?? []) {
      if (!src.visible) continue;
      const rt = this.runtimes.get(src.id);
      const layer = rt?.layer(src, nowMs);
      if (layer?.texture) this.noteContentSize(src.id, layer.texture);
      if (layer) out.push(layer);
    }
    return out;
  }

  /** Picture sizes of the sources drawn so far (source pixels), for cropping in the preview. */
  private readonly contentSizes = new Map<string, { width: number; height: number }>();

  private noteContentSize(id: string, t: { width: number; height: number }): void {
    const known = this.contentSizes.get(id);
    if (known?.width !== t.width || known.height !== t.height) this.contentSizes.set(id, { width: t.width, height: t.height });
  }

  /** A source's picture size in source pixels, once it has been drawn; null for untextured ones (colour). */
  contentSize(id: string): { width: number; height: number } | null {
    return this.contentSizes.get(id) ?? null;
  }

  /**
   * One tick of the output clock. A tick that finds the page still busy with the previous frame
   * composes nothing (at most ~70 % of the main thread goes to frames, so the UI, the mixer and
   * the media link keep running on a slow machine); on the WebCodecs path it re-encodes the last
   * picture at the tick's time instead — a cheap copy of a reference — so the encoders get a
   * constant frame rate, as the engine's VideoPacer gives ffmpeg (rate control and receivers
   * count on it).
   */
  private frame(): void {
    if (!this.running) return;
    const now = performance.now();
    const tick = this.clock.tick(now);
    if (!tick) return;
    this.followStreams();
    // Slots the clock skipped (this page was busy when they were due) get the last picture again,
    // in order, so the encoders still see every slot of the output rate.
    for (let k = Math.min(tick.skipped, 30); k >= 1; k--) this.repeatOrOwe(wallUs(tick.timeMs - k * this.clock.intervalMs));
    if (now < this.notBefore) {
      this.repeatOrOwe(wallUs(tick.timeMs));
      return;
    }
    this.frameWork(now, tick);
    const end = performance.now();
    this.notBefore = end + (end - now) * 0.4;
  }

  private repeatOrOwe(us: number): void {
    if (!this.link || this.path !== 'webcodecs' || this.encoding === 0) return;
    // A picture still being read back carries an earlier timestamp: the repeat is owed, and
    // paid (in order) right after that picture is encoded.
    if (this.compositor.pendingReadbacks > 0) {
      if (this.owed.length < 30) this.owed.push(us);
      return;
    }
    this.repeat(us);
  }

  private repeat(us: number): void {
    const last = this.lastFrame;
    if (!last || us <= this.lastEncodedUs) return;
    if (us - this.lastFrameUs > 1_000_000) return; // nothing new for a second: no point pretending
    const frame = new VideoFrame(last, { timestamp: us });
    this.link?.encode(frame);
    frame.close();
    this.lastEncodedUs = us;
    this.framesRepeated++;
  }

  /** Ticks that passed while a picture was being read back, to repeat once it is encoded. */
  private owed: number[] = [];

  /** Encode a new picture on the WebCodecs path and keep a reference for repeats. */
  private encodeNew(frame: VideoFrame): void {
    if (frame.timestamp <= this.lastEncodedUs) {
      frame.close(); // older than what the encoders already have
      return;
    }
    this.link?.encode(frame);
    this.lastFrame?.close();
    this.lastFrame = frame;
    this.lastFrameUs = frame.timestamp;
    this.lastEncodedUs = frame.timestamp;
    this.framesSent++;
    const owed = this.owed.splice(0);
    for (const us of owed) this.repeat(us);
  }

  private notBefore = 0;

  private frameWork(now: number, tick: FrameTick): void {
    if (this.doc) {
      const wallMs = performance.timeOrigin + tick.timeMs;
      const current = this.doc.scenes.find((s) => s.id === this.doc?.activeSceneId);
      let previous: { layers: DrawLayer[]; mix: number } | undefined;
      if (this.fade) {
        const mix = (now - this.fade.startMs) / this.fade.durationMs;
        if (mix >= 1) this.fade = null;
        else previous = { layers: this.layersOf(this.fade.from, wallMs), mix };
      }
      this.compositor.compose(this.layersOf(current, wallMs), previous);
      const webcodecs = this.link !== null && this.path === 'webcodecs' && this.encoding > 0;
      // A frame leaves either as the canvas itself (a GPU texture: zero-copy into a hardware
      // encoder) or as I420 read back after the GPU conversion pass: on software GL every pixel is
      // CPU work and the I420 readback moves 1.5 bytes a pixel instead of 4, so it is the faster
      // way there (docs/ARCHITECTURE.md "Media path" has the figures). The raw ffmpeg path always
      // reads I420 back; on software GL its preview refreshes every third frame only.
      const viaCanvas = webcodecs && !this.software;
      const previewEvery = this.software && this.link ? 3 : 1;
      // Studio mode: the preview scene is composed for display only, when the canvas is shown.
      const pv = this.doc.studioMode.enabled ? this.doc.scenes.find((s) => s.id === this.doc?.studioMode.previewSceneId) : undefined;
      if (viaCanvas || tick.index % previewEvery === 0) this.compositor.present(pv ? this.layersOf(pv, wallMs) : undefined);
      const t1 = performance.now();
      this.tRender.add(t1 - now);
      if (viaCanvas) {
        // In studio mode the canvas also shows the preview: the frame is the program's rect only.
        this.encodeNew(new VideoFrame(this.canvas, { timestamp: wallUs(tick.timeMs), visibleRect: this.compositor.programRect() }));
        this.tCapture.add(performance.now() - t1);
      } else if (this.link) {
        this.compositor.capture(wallUs(tick.timeMs), webcodecs ? 0 : MEDIA_HEADER);
        this.tCapture.add(performance.now() - t1);
      }
    }
    const t2 = performance.now();
    const webcodecs = this.path === 'webcodecs' && this.encoding > 0;
    const frames = this.compositor.collect(webcodecs ? 0 : MEDIA_HEADER);
    for (const f of frames) {
      if (webcodecs) this.encodeNew(new VideoFrame(f.data, { format: 'I420', codedWidth: f.width, codedHeight: f.height, timestamp: f.captureTimeUs }));
      else if (this.link?.sendVideo(f.width, f.height, f.captureTimeUs, f.data)) this.framesSent++;
    }
    if (frames.length) this.tSend.add(performance.now() - t2);
  }
}

function isSoftwareGl(gl: WebGL2RenderingContext): boolean {
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  return /swiftshader|llvmpipe|software|softpipe/i.test(renderer);
}
