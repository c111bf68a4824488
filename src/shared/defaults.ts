// The output defaults every entry point starts from (studio settings, the encoder, `tandem
// publish`): 720p30, 2.5 Mbit/s video, 128 kbit/s audio, a keyframe every 2 s.
export const OUTPUT_DEFAULTS = {
  width: 1280,
  height: 720,
  fps: 30,
  videoBitrateKbps: 2500,
  audioBitrateKbps: 128,
  keyintSec: 2,
} as const;
