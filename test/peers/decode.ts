/**
 * Counting decoded frames with ffmpeg (shared by ffprobe.ts and rtp-receiver.ts).
 *
 *   decodeOutputArgs(): string[]
 *       ffmpeg output arguments that decode the first video and first audio stream (each only if
 *       present) and print one `showinfo` / `ashowinfo` line per decoded frame, then discard it:
 *       -map 0:v:0? -map 0:a:0? -vf showinfo=checksum=0 -af ashowinfo -f null -
 *       Use together with `-nostats -loglevel info`.
 *   class DecodeStatsParser
 *       .feed(line)   feed ffmpeg's stderr line by line
 *       .stats(): DecodeStats   figures so far
 *
 *   interface DecodeStats {
 *     frames: number;           // decoded video frames
 *     width: number; height: number;  // size of the LAST decoded video frame (0 if none)
 *     sizes: string[];          // every distinct size seen, in order ('1280x720')
 *     keyframes: number;        // decoded frames flagged as key
 *     audioFrames: number;      // decoded audio frames
 *     hasVideo: boolean; hasAudio: boolean;   // input streams ffmpeg found
 *     videoCodec?: string; audioCodec?: string; // input codec names ('h264', 'aac', 'opus')
 *     lastVideoPtsSec?: number; firstVideoPtsSec?: number;
 *   }
 *
 * Counting comes from the per-frame filter lines, not from the final `frame=` summary, so the
 * figures are right even when ffmpeg is interrupted.
 */

export interface DecodeStats {
  frames: number;
  width: number;
  height: number;
  sizes: string[];
  keyframes: number;
  audioFrames: number;
  hasVideo: boolean;
  hasAudio: boolean;
  videoCodec?: string;
  audioCodec?: string;
  firstVideoPtsSec?: number;
  lastVideoPtsSec?: number;
}

export function decodeOutputArgs(): string[] {
  return ['-map', '0:v:0?', '-map', '0:a:0?', '-vf', 'showinfo=checksum=0', '-af', 'ashowinfo', '-f', 'null', '-'];
}

const VIDEO_LINE = /\[Parsed_showinfo_\d+ @ [^\]]+\] n:\s*\d+ pts:\s*-?\d+ pts_time:(\S+).*? s:(\d+)x(\d+).*? iskey:(\d)/;
const AUDIO_LINE = /\[Parsed_ashowinfo_\d+ @ [^\]]+\] n:\s*\d+ /;
const INPUT_STREAM = /^\s*Stream #0:\d+.*?: (Video|Audio): (\w+)/;

export class DecodeStatsParser {
  private s: DecodeStats = { frames: 0, width: 0, height: 0, sizes: [], keyframes: 0, audioFrames: 0, hasVideo: false, hasAudio: false };
  private inOutput = false;

  feed(line: string): void {
    const v = VIDEO_LINE.exec(line);
    if (v) {
      const [, pts, w, h, key] = v;
      this.s.frames++;
      this.s.width = Number(w);
      this.s.height = Number(h);
      const size = `${w}x${h}`;
      if (this.s.sizes[this.s.sizes.length - 1] !== size && !this.s.sizes.includes(size)) this.s.sizes.push(size);
      if (key === '1') this.s.keyframes++;
      const t = Number(pts);
      if (Number.isFinite(t)) {
        this.s.firstVideoPtsSec ??= t;
        this.s.lastVideoPtsSec = t;
      }
      return;
    }
    if (AUDIO_LINE.test(line)) {
      this.s.audioFrames++;
      return;
    }
    if (/^Output #0/.test(line) || /^Stream mapping:/.test(line)) {
      this.inOutput = true;
      return;
    }
    if (/^Input #0/.test(line)) {
      this.inOutput = false;
      return;
    }
    if (!this.inOutput) {
      const m = INPUT_STREAM.exec(line);
      if (m) {
        if (m[1] === 'Video' && !this.s.hasVideo) {
          this.s.hasVideo = true;
          if (m[2] !== undefined) this.s.videoCodec = m[2];
        } else if (m[1] === 'Audio' && !this.s.hasAudio) {
          this.s.hasAudio = true;
          if (m[2] !== undefined) this.s.audioCodec = m[2];
        }
      }
    }
  }

  stats(): DecodeStats {
    return { ...this.s, sizes: [...this.s.sizes] };
  }
}
