// The audio mixer: a WebAudio graph with per-source gain, mute and peak/RMS meters, a master
// bus, and an AudioWorklet tap that hands timestamped PCM to the engine.
import workletUrl from './capture.worklet.ts?worker&url';

export interface ChannelMeter {
  id: string;
  name: string;
  gainDb: number;
  muted: boolean;
  peakDb: number;
  rmsDb: number;
}

interface Channel {
  name: string;
  node: AudioNode;
  gain: GainNode;
  analyser: AnalyserNode;
  gainDb: number;
  muted: boolean;
}

const FLOOR_DB = -90;
export const toDb = (v: number): number => (v <= 0 ? FLOOR_DB : Math.max(FLOOR_DB, 20 * Math.log10(v)));
export const fromDb = (db: number): number => (db <= FLOOR_DB ? 0 : 10 ** (db / 20));

export function measure(samples: Float32Array): { peakDb: number; rmsDb: number } {
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

export class Mixer {
  readonly ctx: AudioContext;
  private readonly master: GainNode;
  private readonly masterAnalyser: AnalyserNode;
  private readonly channels = new Map<string, Channel>();
  private readonly scratch = new Float32Array(2048);
  private tap: AudioWorkletNode | null = null;
  private listener: PcmListener | null = null;
  masterGainDb = 0;
  masterMuted = false;

  constructor() {
    this.ctx = new AudioContext({ sampleRate: 48000, latencyHint: 'interactive' });
    this.master = this.ctx.createGain();
    this.masterAnalyser = this.ctx.createAnalyser();
    this.masterAnalyser.fftSize = 2048;
    this.master.connect(this.masterAnalyser);
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
    if (this.ctx.state !== 'running') await this.ctx.resume();
  }

  stop(): void {
    this.listener = null;
  }

  addStream(id: string, name: string, stream: MediaStream): void {
    if (this.channels.has(id) || stream.getAudioTracks().length === 0) return;
    this.addNode(id, name, this.ctx.createMediaStreamSource(stream));
  }

  addElement(id: string, name: string, el: HTMLMediaElement): void {
    if (this.channels.has(id)) return;
    this.addNode(id, name, this.ctx.createMediaElementSource(el));
  }

  remove(id: string): void {
    const c = this.channels.get(id);
    if (!c) return;
    c.node.disconnect();
    c.gain.disconnect();
    this.channels.delete(id);
  }

  has(id: string): boolean {
    return this.channels.has(id);
  }

  setGain(id: string, db: number): void {
    const c = this.channels.get(id);
    if (!c) return;
    c.gainDb = db;
    c.gain.gain.value = c.muted ? 0 : fromDb(db);
  }

  setMuted(id: string, muted: boolean): void {
    const c = this.channels.get(id);
    if (!c) return;
    c.muted = muted;
    c.gain.gain.value = muted ? 0 : fromDb(c.gainDb);
  }

  setMaster(db: number, muted: boolean): void {
    this.masterGainDb = db;
    this.masterMuted = muted;
    this.master.gain.value = muted ? 0 : fromDb(db);
  }

  meters(): { channels: ChannelMeter[]; master: { peakDb: number; rmsDb: number } } {
    const read = (a: AnalyserNode) => {
      const buf = this.scratch.subarray(0, a.fftSize);
      a.getFloatTimeDomainData(buf);
      return measure(buf);
    };
    const channels = [...this.channels.entries()].map(([id, c]) => ({ id, name: c.name, gainDb: c.gainDb, muted: c.muted, ...read(c.analyser) }));
    return { channels, master: read(this.masterAnalyser) };
  }

  async close(): Promise<void> {
    for (const id of [...this.channels.keys()]) this.remove(id);
    this.listener = null;
    await this.ctx.close();
  }

  private addNode(id: string, name: string, node: AudioNode): void {
    const gain = this.ctx.createGain();
    const analyser = this.ctx.createAnalyser();
    analyser.fftSize = 2048;
    node.connect(gain);
    gain.connect(analyser);
    gain.connect(this.master);
    this.channels.set(id, { name, node, gain, analyser, gainDb: 0, muted: false });
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
