// Shaders of the compositor. Convention: render targets hold images top-down (output pixel row
// r is framebuffer row r), so readPixels returns rows in image order with no flip; only the
// preview blit to the canvas flips.

export const QUAD_VS = `#version 300 es
in vec2 a_pos;               // unit quad, (0,0) top-left
uniform mat3 u_matrix;       // unit quad -> output pixels
uniform vec2 u_resolution;   // target size in pixels
uniform vec4 u_uv;           // u0, v0, u1, v1
uniform bool u_flip;         // true when drawing to the canvas (bottom-up)
out vec2 v_uv;
void main() {
  vec2 px = (u_matrix * vec3(a_pos, 1.0)).xy;
  vec2 clip = px / u_resolution * 2.0 - 1.0;
  if (u_flip) clip.y = -clip.y;
  gl_Position = vec4(clip, 0.0, 1.0);
  v_uv = mix(u_uv.xy, u_uv.zw, a_pos);
}`;

export const QUAD_FS = `#version 300 es
precision highp float;
in vec2 v_uv;
uniform sampler2D u_tex;
uniform bool u_useTex;
uniform vec4 u_color;
uniform float u_opacity;
out vec4 o;
void main() {
  vec4 c = u_useTex ? texture(u_tex, v_uv) : u_color;
  o = vec4(c.rgb, c.a * u_opacity);
}`;

/** Full-screen pass: RGB target (W×H) -> packed I420 in an RGBA target of W/4 × 3H/2. */
export const I420_FS = `#version 300 es
precision highp float;
uniform sampler2D u_tex;
uniform vec2 u_size;
out vec4 o;
const vec3 K = vec3(0.2126, 0.7152, 0.0722);   // BT.709
vec3 rgbAt(vec2 px) { return texture(u_tex, px / u_size).rgb; }
float lumaOf(vec3 c) { return (16.0 + 219.0 * dot(c, K)) / 255.0; }
float cbOf(vec3 c) { float y = dot(c, K); return (128.0 + 224.0 * (c.b - y) / 1.8556) / 255.0; }
float crOf(vec3 c) { float y = dot(c, K); return (128.0 + 224.0 * (c.r - y) / 1.5748) / 255.0; }
void main() {
  float W = u_size.x, H = u_size.y;
  float px = floor(gl_FragCoord.x), py = floor(gl_FragCoord.y);
  vec4 r;
  if (py < H) {
    for (int k = 0; k < 4; k++) r[k] = lumaOf(rgbAt(vec2(px * 4.0 + float(k) + 0.5, py + 0.5)));
  } else {
    float q = H / 4.0;
    bool isU = py < H + q;
    float row = py - (isU ? H : H + q);
    float cw = W / 2.0;
    for (int k = 0; k < 4; k++) {
      float idx = px * 4.0 + float(k);
      float cRow = row * 2.0 + floor(idx / cw);
      float cCol = idx - floor(idx / cw) * cw;
      // the corner between four texels: bilinear filtering averages the 2x2 block
      vec3 c = rgbAt(vec2(cCol * 2.0 + 1.0, cRow * 2.0 + 1.0));
      r[k] = isU ? cbOf(c) : crOf(c);
    }
  }
  o = r;
}`;

export const FULL_VS = `#version 300 es
in vec2 a_pos;
void main() { gl_Position = vec4(a_pos * 2.0 - 1.0, 0.0, 1.0); }`;
