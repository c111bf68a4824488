// The audio mixer: a WebAudio graph with one channel per source with sound (input → sync-offset
// delay → fader → meter, fader → master bus), a master bus, and an AudioWorklet tap that hands
// timestamped PCM to the engine. What each channel does comes from the scene document
// (audio-plan.ts); the mixer holds no settings of its own except the master's.
import workletUrl from './capture.worklet.ts?worker&url';
import { MAX_DELAY_SEC, fromDb, type ChannelParams } from './audio-plan';

export interface Level {
  peakDb: number;
  rmsDb: number;
}

interface Channel {
  input: AudioNode | null;
  /** The stream or element the input was made from, to notice when a source reopens its device. */
  from: MediaStream | HTMLMediaElement | null;
  delay: DelayNode;
  fader: GainNode;
  analyser: AnalyserNode;
  params: ChannelParams;
}

const FLOOR_DB = -90;
export const toDb = (v: number): number => (v <= 0 ? FLOOR_DB : Math.max(FLOOR_DB, 20 * Math.log10(v)));
export { fromDb };

export function measure(samples: Float32Array): Level {
  let peak = 0;
  let sum = 0;
  for (const s of samples) {
    const a = Math.abs(s);
    if (a > peak) peak = a;
    sum += s * s;
  }
  return { peakDb: toDb(peak), rmsDb: toDb(Math.sqrt(sum / Math.max(1, samples.length))) };
}

export type PcmListener = (pcm: Int16Array, sampleRate: number, channels: number, captureTimeUs: number) => void;

/** Fader moves ramp over ~10 ms (time constant), so a gain change or a mute does not click. */
const RAMP_SEC = 0.01;

export class Mixer {
  readonly ctx: AudioContext;
  private readonly master: GainNode;
  private readonly masterAnalyser: AnalyserNode;
  private readonly channels = new Map<string, Channel>();
  private readonly scratch = new Float32Array(2048);
  private tap: AudioWorkletNode | null = null;
  private listener: PcmListener | null = null;
  private readonly onGesture = (): void => void this.resume();
  masterGainDb = 0;
  masterMuted = false;

  constructor() {
    this.ctx = new AudioContext({ sampleRate: 48000, latencyHint: 'interactive' });
    this.master = this.ctx.createGain();
    this.masterAnalyser = this.ctx.createAnalyser();
    this.masterAnalyser.fftSize = 2048;
    this.master.connect(this.masterAnalyser);
    // Autoplay policy: a context made without a user gesture starts suspended, and the meters
    // would stand still until recording starts. The first click or key press starts it.
    document.addEventListener('pointerdown', this.onGesture, true);
    document.addEventListener('keydown', this.onGesture, true);
  }

  /** Loads the capture worklet; PCM flows to the listener from then on. */
  async start(listener: PcmListener): Promise<void> {
    this.listener = listener;
    if (!this.tap) {
      await this.ctx.audioWorklet.addModule(workletUrl);
      this.tap = new AudioWorkletNode(this.ctx, 'tandem-capture', { numberOfInputs: 1, numberOfOutputs: 1, channelCount: 2, channelCountMode: 'explicit' });
      this.tap.port.onmessage = (ev: MessageEvent<{ pcm: Int16Array; frame: number; sampleRate: number }>) => this.onChunk(ev.data);
      // The tap must reach the destination to be pulled; a zero gain keeps it silent.
      const sink = this.ctx.createGain();
      sink.gain.value = 0;
      this.master.connect(this.tap);
      this.tap.connect(sink);
      sink.connect(this.ctx.destination);
    }
    await this.resume();
  }

  stop(): void {
    this.listener = null;
  }

  /**
   * Feeds a channel from a MediaStream's audio (camera, microphone, screen). A new stream (the
   * source reopened its device) replaces the old input; a stream without audio leaves the channel
   * without input.
   */
  setStream(id: string, stream: MediaStream | null): void {
    const c = this.channel(id);
    if (c.from === stream) return;
    c.input?.disconnect();
    c.input = null;
    c.from = stream;
    if (stream && stream.getAudioTracks().length > 0) {
      c.input = this.ctx.createMediaStreamSource(stream);
      c.input.connect(c.delay);
    }
  }

  /** Feeds a channel from a media element (a media file); an element can be taken only once. */
  setElement(id: string, el: HTMLMediaElement): void {
    const c = this.channel(id);
    if (c.from === el) return;
    c.input?.disconnect();
    c.from = el;
    c.input = this.ctx.createMediaElementSource(el);
    c.input.connect(c.delay);
  }

  /** The source of a channel, to compare with what a runtime holds now. */
  inputOf(id: string): MediaStream | HTMLMediaElement | null | undefined {
    return this.channels.get(id)?.from;
  }

  /** Sets a channel's fader and sync offset (from the scene document through audio-plan.ts). */
  apply(id: string, p: ChannelParams): void {
    const c = this.channels.get(id);
    if (!c || (c.params.gain === p.gain && c.params.delaySec === p.delaySec)) return;
    c.params = p;
    const now = this.ctx.currentTime;
    c.fader.gain.setTargetAtTime(p.gain, now, RAMP_SEC);
    c.delay.delayTime.setValueAtTime(p.delaySec, now);
  }

  remove(id: string): void {
    const c = this.channels.get(id);
    if (!c) return;
    c.input?.disconnect();
    c.delay.disconnect();
    c.fader.disconnect();
    this.channels.delete(id);
  }

  has(id: string): boolean {
    return this.channels.has(id);
  }

  ids(): string[] {
    return [...this.channels.keys()];
  }

  setMaster(db: number, muted: boolean): void {
    this.masterGainDb = db;
    this.masterMuted = muted;
    this.master.gain.setTargetAtTime(muted ? 0 : fromDb(db), this.ctx.currentTime, RAMP_SEC);
  }

  /** Post-fader levels of every channel that has an input, and of the master bus. */
  meters(): { channels: Map<string, Level>; master: Level } {
    const read = (a: AnalyserNode): Level => {
      const buf = this.scratch.subarray(0, a.fftSize);
      a.getFloatTimeDomainData(buf);
      return measure(buf);
    };
    const channels = new Map<string, Level>();
    for (const [id, c] of this.channels) if (c.input) channels.set(id, read(c.analyser));
    return { channels, master: read(this.masterAnalyser) };
  }

  async close(): Promise<void> {
    document.removeEventListener('pointerdown', this.onGesture, true);
    document.removeEventListener('keydown', this.onGesture, true);
    for (const id of [...this.channels.keys()]) this.remove(id);
    this.listener = null;
    await this.ctx.close();
  }

  private async resume(): Promise<void> {
    if (this.ctx.state === 'suspended') await this.ctx.resume().catch(() => undefined);
  }

  private channel(id: string): Channel {
    let c = this.channels.get(id);
    if (c) return c;
    const delay = this.ctx.createDelay(MAX_DELAY_SEC);
    delay.delayTime.value = 0;
    const fader = this.ctx.createGain();
    fader.gain.value = 0; // silent until the document says otherwise
    const analyser = this.ctx.createAnalyser();
    analyser.fftSize = 2048;
    delay.connect(fader);
    fader.connect(analyser);
    fader.connect(this.master);
    c = { input: null, from: null, delay, fader, analyser, params: { gain: 0, delaySec: 0 } };
    this.channels.set(id, c);
    return c;
  }

  private onChunk(msg: { pcm: Int16Array; frame: number; sampleRate: number }): void {
    if (!this.listener) return;
    // Map the chunk's first sample from the context clock to the wall clock.
    const ts = this.ctx.getOutputTimestamp();
    const contextTime = ts.contextTime ?? this.ctx.currentTime;
    const perfTime = ts.performanceTime ?? performance.now();
    const sampleTimeMs = perfTime + (msg.frame / msg.sampleRate - contextTime) * 1000;
    const captureTimeUs = Math.round((performance.timeOrigin + sampleTimeMs) * 1000);
    this.listener(msg.pcm, msg.sampleRate, 2, captureTimeUs);
  }
}
