// The WebGL2 compositor: draws a scene's layers at the output resolution, cross-fades between
// scenes, shows the result on the preview canvas (the same GL context), converts it to I420 on
// the GPU and reads it back asynchronously through pixel-pack buffers.
import type { Transform } from '../../../shared/scene/model';
import { quadMatrix, cropUv } from '../../../shared/scene/geometry';
import { compileProgram, createTarget, createTexture, deleteTarget, type RenderTarget } from './gl';
import { FULL_VS, I420_FS, QUAD_FS, QUAD_VS } from './shaders';

export interface DrawLayer {
  transform: Transform;
  /** Solid colour (colour sources), RGBA 0..1. */
  color?: readonly [number, number, number, number];
  /** Texture and its content size (for crop). */
  texture?: { tex: WebGLTexture; width: number; height: number };
}

export interface I420Frame {
  /** The I420 picture sits at `offset` in `data` (room for a message header before it). */
  data: Uint8Array;
  offset: number;
  width: number;
  height: number;
  captureTimeUs: number;
}

interface Readback {
  pbo: WebGLBuffer;
  fence: WebGLSync | null;
  captureTimeUs: number;
}

export class Compositor {
  readonly gl: WebGL2RenderingContext;
  private readonly quad: WebGLProgram;
  private readonly i420: WebGLProgram;
  private readonly vao: WebGLVertexArrayObject;
  private readonly sceneA: RenderTarget;
  private readonly sceneB: RenderTarget;
  private readonly out: RenderTarget;
  private readonly yuv: RenderTarget;
  /** Studio mode's preview scene, for display only (docs/ARCHITECTURE.md "Studio mode"). */
  private pv: RenderTarget | null = null;
  private splitView = false;
  private readonly ring: Readback[] = [];
  /** Bound for untextured quads, so no render target's texture stays bound while drawn into. */
  private readonly blank: WebGLTexture;
  private readonly u: Record<string, WebGLUniformLocation | null> = {};
  /** Frames not converted because every readback slot was still busy. */
  readbackDrops = 0;
  /**
   * 'pbo': asynchronous readback through pixel-pack buffers and fences (best with a real GPU).
   * 'sync': readPixels straight into memory (best with software GL, where fences can lag by
   * seconds under load and the PBO path is emulated anyway).
   */
  readback: 'pbo' | 'sync' = 'pbo';
  private readonly syncFrames: { data: Uint8Array; captureTimeUs: number }[] = [];

  constructor(
    readonly canvas: HTMLCanvasElement,
    readonly width: number,
    readonly height: number,
  ) {
    if (width % 4 !== 0 || height % 4 !== 0) throw new Error(`the output size must be a multiple of 4 (got ${width}×${height})`);
    canvas.width = width;
    canvas.height = height;
    const gl = canvas.getContext('webgl2', { alpha: false, antialias: false, preserveDrawingBuffer: false, premultipliedAlpha: false });
    if (!gl) throw new Error('this browser has no WebGL2: the compositor needs it');
    this.gl = gl;
    this.quad = compileProgram(gl, QUAD_VS, QUAD_FS);
    this.i420 = compileProgram(gl, FULL_VS, I420_FS);
    for (const n of ['u_matrix', 'u_resolution', 'u_uv', 'u_flip', 'u_tex', 'u_useTex', 'u_color', 'u_opacity']) {
      this.u[n] = gl.getUniformLocation(this.quad, n);
    }
    this.u.i420_tex = gl.getUniformLocation(this.i420, 'u_tex');
    this.u.i420_size = gl.getUniformLocation(this.i420, 'u_size');
    const vao = gl.createVertexArray();
    const vbo = gl.createBuffer();
    if (!vao || !vbo) throw new Error('WebGL2: cannot create buffers');
    this.vao = vao;
    gl.bindVertexArray(vao);
    gl.bindBuffer(gl.ARRAY_BUFFER, vbo);
    gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([0, 0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 1]), gl.STATIC_DRAW);
    for (const p of [this.quad, this.i420]) {
      const loc = gl.getAttribLocation(p, 'a_pos');
      gl.enableVertexAttribArray(loc);
      gl.vertexAttribPointer(loc, 2, gl.FLOAT, false, 0, 0);
    }
    this.blank = createTexture(gl);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, 1, 1, 0, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array([255, 255, 255, 255]));
    this.sceneA = createTarget(gl, width, height);
    this.sceneB = createTarget(gl, width, height);
    this.out = createTarget(gl, width, height);
    this.yuv = createTarget(gl, width / 4, (height * 3) / 2, gl.NEAREST);
    const size = width * height * 1.5;
    for (let i = 0; i < 3; i++) {
      const pbo = gl.createBuffer();
      if (!pbo) throw new Error('WebGL2: cannot create a pixel buffer');
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, pbo);
      gl.bufferData(gl.PIXEL_PACK_BUFFER, size, gl.STREAM_READ);
      this.ring.push({ pbo, fence: null, captureTimeUs: 0 });
    }
    gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
  }

  /**
   * Composes one output frame. With `previous`, cross-fades: out = previous·(1−mix) + current·mix.
   */
  compose(current: readonly DrawLayer[], previous?: { layers: readonly DrawLayer[]; mix: number }): void {
    const gl = this.gl;
    gl.useProgram(this.quad);
    gl.bindVertexArray(this.vao);
    gl.enable(gl.BLEND);
    gl.blendFuncSeparate(gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA, gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
    if (!previous || previous.mix >= 1) {
      this.drawLayers(this.out, current);
      return;
    }
    this.drawLayers(this.sceneA, current);
    this.drawLayers(this.sceneB, previous.layers);
    const full = { x: 0, y: 0, width: this.width, height: this.height, rotation: 0, opacity: 1, crop: { left: 0, top: 0, right: 0, bottom: 0 } };
    this.bindTarget(this.out);
    this.drawQuad({ transform: full, texture: { tex: this.sceneB.tex, width: this.width, height: this.height } }, false);
    this.drawQuad({ transform: { ...full, opacity: Math.max(0, previous.mix) }, texture: { tex: this.sceneA.tex, width: this.width, height: this.height } }, false);
  }

  /**
   * Studio mode: the canvas becomes twice as wide, the preview scene on the left and the program
   * on the right. Only the program (`out`, or `programRect()` of the canvas) is ever encoded.
   */
  setSplit(on: boolean): void {
    if (on === this.splitView) return;
    this.splitView = on;
    this.canvas.width = on ? this.width * 2 : this.width;
    if (on && !this.pv) this.pv = createTarget(this.gl, this.width, this.height);
  }

  get split(): boolean {
    return this.splitView;
  }

  /** Where the program sits on the canvas (the visibleRect of a VideoFrame taken from it). */
  programRect(): { x: number; y: number; width: number; height: number } {
    return { x: this.splitView ? this.width : 0, y: 0, width: this.width, height: this.height };
  }

  /** Shows the last composed frame on the canvas; in studio mode `preview` is drawn on the left. */
  present(preview?: readonly DrawLayer[]): void {
    const gl = this.gl;
    gl.useProgram(this.quad);
    gl.bindVertexArray(this.vao);
    const full = { x: 0, y: 0, width: this.width, height: this.height, rotation: 0, opacity: 1, crop: { left: 0, top: 0, right: 0, bottom: 0 } };
    if (this.splitView && this.pv) {
      this.drawLayers(this.pv, preview ?? []);
      gl.bindFramebuffer(gl.FRAMEBUFFER, null);
      gl.viewport(0, 0, this.width, this.height);
      gl.disable(gl.BLEND);
      this.drawQuad({ transform: full, texture: { tex: this.pv.tex, width: this.width, height: this.height } }, true);
    }
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    gl.viewport(this.programRect().x, 0, this.width, this.height);
    gl.disable(gl.BLEND);
    this.drawQuad({ transform: full, texture: { tex: this.out.tex, width: this.width, height: this.height } }, true);
  }

  /** Converts the last composed frame to I420 and starts its readback. False when all slots are busy. */
  capture(captureTimeUs: number, headroom = 0): boolean {
    const gl = this.gl;
    const slot = this.readback === 'pbo' ? this.ring.find((r) => r.fence === null) : undefined;
    if (this.readback === 'pbo' && !slot) {
      this.readbackDrops++;
      return false;
    }
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.yuv.fbo);
    gl.viewport(0, 0, this.yuv.width, this.yuv.height);
    gl.disable(gl.BLEND);
    gl.useProgram(this.i420);
    gl.bindVertexArray(this.vao);
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, this.out.tex);
    gl.uniform1i(this.u.i420_tex ?? null, 0);
    gl.uniform2f(this.u.i420_size ?? null, this.width, this.height);
    gl.drawArrays(gl.TRIANGLES, 0, 6);
    if (!slot) {
      const size = this.width * this.height * 1.5;
      const data = new Uint8Array(headroom + size);
      gl.readPixels(0, 0, this.yuv.width, this.yuv.height, gl.RGBA, gl.UNSIGNED_BYTE, data, headroom);
      this.syncFrames.push({ data, captureTimeUs });
      return true;
    }
    gl.bindBuffer(gl.PIXEL_PACK_BUFFER, slot.pbo);
    gl.readPixels(0, 0, this.yuv.width, this.yuv.height, gl.RGBA, gl.UNSIGNED_BYTE, 0);
    gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
    slot.fence = gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0);
    slot.captureTimeUs = captureTimeUs;
    gl.flush();
    return true;
  }

  /** Readbacks started and not collected yet. */
  get pendingReadbacks(): number {
    return this.syncFrames.length + this.ring.filter((r) => r.fence !== null).length;
  }

  /** Frames whose readback finished, oldest first; each with `headroom` free bytes before the picture. */
  collect(headroom = 0): I420Frame[] {
    const gl = this.gl;
    const done: I420Frame[] = this.syncFrames
      .splice(0)
      .map((f) => ({ data: f.data, offset: headroom, width: this.width, height: this.height, captureTimeUs: f.captureTimeUs }));
    const pending = this.ring.filter((r) => r.fence !== null).sort((a, b) => a.captureTimeUs - b.captureTimeUs);
    for (const slot of pending) {
      const fence = slot.fence;
      if (!fence) continue;
      const status = gl.clientWaitSync(fence, 0, 0);
      if (status === gl.TIMEOUT_EXPIRED) break;
      gl.deleteSync(fence);
      slot.fence = null;
      const size = this.width * this.height * 1.5;
      const data = new Uint8Array(headroom + size);
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, slot.pbo);
      gl.getBufferSubData(gl.PIXEL_PACK_BUFFER, 0, data, headroom, size);
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
      done.push({ data, offset: headroom, width: this.width, height: this.height, captureTimeUs: slot.captureTimeUs });
    }
    return done;
  }

  dispose(): void {
    const gl = this.gl;
    for (const t of [this.sceneA, this.sceneB, this.out, this.yuv, this.pv]) if (t) deleteTarget(gl, t);
    gl.deleteTexture(this.blank);
    for (const r of this.ring) {
      if (r.fence) gl.deleteSync(r.fence);
      gl.deleteBuffer(r.pbo);
    }
    gl.deleteProgram(this.quad);
    gl.deleteProgram(this.i420);
  }

  private bindTarget(t: RenderTarget): void {
    const gl = this.gl;
    gl.bindFramebuffer(gl.FRAMEBUFFER, t.fbo);
    gl.viewport(0, 0, t.width, t.height);
  }

  private drawLayers(target: RenderTarget, layers: readonly DrawLayer[]): void {
    const gl = this.gl;
    this.bindTarget(target);
    gl.clearColor(0, 0, 0, 1);
    gl.clear(gl.COLOR_BUFFER_BIT);
    gl.enable(gl.BLEND);
    for (const l of layers) this.drawQuad(l, false);
  }

  private drawQuad(l: DrawLayer, flip: boolean): void {
    const gl = this.gl;
    const u = this.u;
    gl.uniformMatrix3fv(u.u_matrix ?? null, false, quadMatrix(l.transform));
    gl.uniform2f(u.u_resolution ?? null, this.width, this.height);
    gl.uniform1i(u.u_flip ?? null, flip ? 1 : 0);
    gl.uniform1f(u.u_opacity ?? null, l.transform.opacity);
    if (l.texture) {
      const uv = cropUv(l.transform.crop, l.texture.width, l.texture.height);
      gl.uniform4f(u.u_uv ?? null, uv.u0, uv.v0, uv.u1, uv.v1);
      gl.activeTexture(gl.TEXTURE0);
      gl.bindTexture(gl.TEXTURE_2D, l.texture.tex);
      gl.uniform1i(u.u_tex ?? null, 0);
      gl.uniform1i(u.u_useTex ?? null, 1);
    } else {
      const c = l.color ?? [0, 0, 0, 0];
      gl.uniform4f(u.u_uv ?? null, 0, 0, 1, 1);
      gl.activeTexture(gl.TEXTURE0);
      gl.bindTexture(gl.TEXTURE_2D, this.blank);
      gl.uniform4f(u.u_color ?? null, c[0], c[1], c[2], c[3]);
      gl.uniform1i(u.u_useTex ?? null, 0);
    }
    gl.drawArrays(gl.TRIANGLES, 0, 6);
  }
}
