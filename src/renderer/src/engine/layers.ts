// Turns scene sources into compositor layers. Each source kind keeps what it needs between
// frames (a texture, a <video>, a 2D canvas for text) and refreshes it when its settings change.
import { resolveMediaSrc } from './media-src';
import type { SceneSource, SourceSettings } from '../../../shared/scene/model';
import type { DrawLayer } from './compositor';
import { createTexture } from './gl';

export interface SourceRuntime {
  /** The layer to draw this frame, or null when there is nothing to show yet. */
  layer(src: SceneSource, nowMs: number): DrawLayer | null;
  /** The media element whose audio the mixer can take, if any. */
  readonly media?: HTMLMediaElement;
  /** A MediaStream with audio (camera + microphone), if any. */
  readonly stream?: MediaStream;
  dispose(): void;
}

export function parseColor(hex: string): [number, number, number, number] {
  const n = (i: number) => parseInt(hex.slice(i, i + 2), 16) / 255;
  return [n(1), n(3), n(5), hex.length >= 9 ? n(7) : 1];
}

class ColorRuntime implements SourceRuntime {
  layer(src: SceneSource): DrawLayer | null {
    if (src.settings.kind !== 'color') return null;
    return { transform: src.transform, color: parseColor(src.settings.color) };
  }
  dispose(): void {}
}

/** Draws text or a clock on a 2D canvas and uploads it when what it shows changes. */
class CanvasRuntime implements SourceRuntime {
  private readonly canvas = document.createElement('canvas');
  private readonly tex: WebGLTexture;
  private key = '';
  constructor(private readonly gl: WebGL2RenderingContext) {
    this.tex = createTexture(gl);
  }
  layer(src: SceneSource, nowMs: number): DrawLayer | null {
    const s = src.settings;
    const w = Math.max(1, Math.round(src.transform.width));
    const h = Math.max(1, Math.round(src.transform.height));
    let text: string;
    let draw: TextStyle;
    if (s.kind === 'text') {
      text = s.text;
      draw = { font: s.font, size: s.size, color: s.color, outlineColor: s.outlineColor, outlineWidth: s.outlineWidth };
    } else if (s.kind === 'clock') {
      text = formatClock(s.format, nowMs);
      draw = { font: 'monospace', size: s.size, color: s.color, outlineColor: '#000000', outlineWidth: 0 };
    } else return null;
    const key = `${w}x${h}|${text}|${JSON.stringify(draw)}`;
    if (key !== this.key) {
      this.key = key;
      renderText(this.canvas, w, h, text, draw);
      const gl = this.gl;
      gl.bindTexture(gl.TEXTURE_2D, this.tex);
      gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, gl.RGBA, gl.UNSIGNED_BYTE, this.canvas);
    }
    return { transform: src.transform, texture: { tex: this.tex, width: w, height: h } };
  }
  dispose(): void {
    this.gl.deleteTexture(this.tex);
  }
}

interface TextStyle {
  font: string;
  size: number;
  color: string;
  outlineColor: string;
  outlineWidth: number;
}

function renderText(canvas: HTMLCanvasElement, w: number, h: number, text: string, st: TextStyle): void {
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.clearRect(0, 0, w, h);
  ctx.font = `${st.size}px ${st.font}`;
  ctx.textBaseline = 'top';
  ctx.lineJoin = 'round';
  const pad = st.outlineWidth;
  text.split('\n').forEach((line, i) => {
    const y = pad + i * st.size * 1.2;
    if (st.outlineWidth > 0) {
      ctx.strokeStyle = st.outlineColor;
      ctx.lineWidth = st.outlineWidth * 2;
      ctx.strokeText(line, pad, y);
    }
    ctx.fillStyle = st.color;
    ctx.fillText(line, pad, y);
  });
}

export function formatClock(format: 'time' | 'timecode', nowMs: number): string {
  const d = new Date(nowMs);
  const p = (n: number, l = 2) => String(n).padStart(l, '0');
  const hms = `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  return format === 'time' ? hms : `${hms}.${p(d.getMilliseconds(), 3)}`;
}

class ImageRuntime implements SourceRuntime {
  private readonly tex: WebGLTexture;
  private size: { width: number; height: number } | null = null;
  private src = '';
  constructor(private readonly gl: WebGL2RenderingContext) {
    this.tex = createTexture(gl);
  }
  layer(src: SceneSource): DrawLayer | null {
    if (src.settings.kind !== 'image') return null;
    if (src.settings.src !== this.src) this.load(src.settings.src);
    if (!this.size) return null;
    return { transform: src.transform, texture: { tex: this.tex, ...this.size } };
  }
  private load(url: string): void {
    this.src = url;
    this.size = null;
    if (!url) return;
    const img = new Image();
    img.onload = () => {
      if (this.src !== url) return;
      const gl = this.gl;
      gl.bindTexture(gl.TEXTURE_2D, this.tex);
      gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, gl.RGBA, gl.UNSIGNED_BYTE, img);
      this.size = { width: img.naturalWidth, height: img.naturalHeight };
    };
    img.src = url;
  }
  dispose(): void {
    this.gl.deleteTexture(this.tex);
  }
}

/** Camera, screen and media files: a <video> uploaded each frame it has a new picture. */
class VideoRuntime implements SourceRuntime {
  private readonly tex: WebGLTexture;
  readonly media: HTMLVideoElement;
  stream?: MediaStream;
  private key = '';
  private disposed = false;
  /** Size of the last picture uploaded since the source was (re)opened. */
  private shown: { width: number; height: number } | null = null;
  constructor(private readonly gl: WebGL2RenderingContext) {
    this.tex = createTexture(gl);
    this.media = document.createElement('video');
    this.media.muted = true; // sound reaches the mixer through WebAudio, not the speakers
    this.media.playsInline = true;
  }
  layer(src: SceneSource): DrawLayer | null {
    const key = JSON.stringify(src.settings);
    if (key !== this.key) {
      this.key = key;
      this.shown = null;
      void this.open(src.settings);
    }
    const v = this.media;
    // While a file seeks (a loop going back to the start, rebuffering) keep its last picture
    // instead of a black gap.
    if (v.readyState < 2 || v.videoWidth === 0) return this.shown ? { transform: src.transform, texture: { tex: this.tex, ...this.shown } } : null;
    const gl = this.gl;
    gl.bindTexture(gl.TEXTURE_2D, this.tex);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, gl.RGBA, gl.UNSIGNED_BYTE, v);
    this.shown = { width: v.videoWidth, height: v.videoHeight };
    return { transform: src.transform, texture: { tex: this.tex, ...this.shown } };
  }
  private async open(s: SourceSettings): Promise<void> {
    this.stop();
    try {
      if (s.kind === 'media') {
        // A file's sound reaches the mixer through its MediaElementAudioSourceNode, which takes
        // the element's output (no longer the speakers) and so honours `muted`: muted, the mixer
        // got silence. A camera's microphone goes in as a MediaStream source, so its element
        // stays muted (it would play the microphone otherwise).
        this.media.muted = false;
        this.media.srcObject = null;
        const url = resolveMediaSrc(s.src);
        if (!url) return;
        this.media.volume = s.volume;
        this.media.src = url;
        this.media.loop = s.loop;
      } else if (s.kind === 'camera') {
        this.media.muted = true; // sound reaches the mixer from the stream, not the element
        this.stream = await navigator.mediaDevices.getUserMedia({
          video: s.deviceId ? { deviceId: { exact: s.deviceId } } : true,
          audio: s.audioDeviceId === 'none' ? false : s.audioDeviceId ? { deviceId: { exact: s.audioDeviceId } } : true,
        });
        this.media.srcObject = this.stream;
      } else if (s.kind === 'screen') {
        // The screen's or window's sound where the platform gives it (Chromium: a tab or the whole
        // screen on Windows/ChromeOS; the desktop app adds system loopback on Windows).
        this.media.muted = true;
        this.stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: s.audio });
        this.media.srcObject = this.stream;
      } else if (s.kind === 'microphone') {
        this.stream = await navigator.mediaDevices.getUserMedia({ video: false, audio: s.deviceId ? { deviceId: { exact: s.deviceId } } : true });
        this.media.srcObject = this.stream;
        this.media.muted = true; // heard through the mixer, not the element
      } else return;
      if (this.disposed) return this.stop();
      await this.media.play();
    } catch {
      // Permission denied or no device: the layer stays empty; the sources panel shows why.
    }
  }
  private stop(): void {
    this.stream?.getTracks().forEach((t) => t.stop());
    delete this.stream;
  }
  dispose(): void {
    this.disposed = true;
    this.stop();
    this.media.pause();
    this.media.removeAttribute('src');
    this.gl.deleteTexture(this.tex);
  }
}

export function createRuntime(gl: WebGL2RenderingContext, src: SceneSource): SourceRuntime {
  switch (src.settings.kind) {
    case 'color':
      return new ColorRuntime();
    case 'text':
    case 'clock':
      return new CanvasRuntime(gl);
    case 'image':
      return new ImageRuntime(gl);
    case 'media':
    case 'camera':
    case 'screen':
    case 'microphone':
      return new VideoRuntime(gl);
  }
}
