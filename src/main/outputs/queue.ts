// Per-output send queue with OBS's drop policy (PROTOCOLS.md "Congestion"):
// - measure the queued duration (newest dts − oldest dts);
// - over the threshold (900 ms: we emit no B-frames, so OBS's 700 ms B-frame level never
//   applies), drop every queued non-key video frame and keep dropping until the next keyframe;
// - never drop audio, never drop keyframes.
import { packetSize, type EncodedPacket } from '../protocol/media';

export interface SendQueueOptions {
  /** Queued duration above which non-key video is dropped, ms. OBS: 900 for P-frames. */
  dropThresholdMs?: number;
}

export class SendQueue {
  readonly dropThresholdMs: number;
  private items: EncodedPacket[] = [];
  private head = 0;
  private dropping = false;
  /** Video frames dropped since construction. */
  framesDropped = 0;
  /** Bytes currently queued. */
  bytes = 0;

  constructor(opts: SendQueueOptions = {}) {
    this.dropThresholdMs = opts.dropThresholdMs ?? 900;
  }

  get length(): number {
    return this.items.length - this.head;
  }

  /** Newest dts − oldest dts of what is queued, ms. */
  get durationMs(): number {
    if (this.length < 2) return 0;
    const first = this.items[this.head];
    const last = this.items[this.items.length - 1];
    if (!first || !last) return 0;
    return Math.max(0, (last.dts - first.dts) / 1000);
  }

  /** Queued duration ÷ drop threshold (OBS's congestion figure). */
  get congestion(): number {
    return this.durationMs / this.dropThresholdMs;
  }

  /** Enqueue, applying the drop policy. Returns false when this packet was dropped. */
  push(packet: EncodedPacket): boolean {
    if (packet.track === 'video') {
      if (packet.keyframe) this.dropping = false;
      else if (this.dropping) {
        this.framesDropped++;
        return false;
      }
    }
    this.items.push(packet);
    this.bytes += packetSize(packet);
    if (this.durationMs > this.dropThresholdMs) this.dropNonKeyVideo();
    return !(packet.track === 'video' && !packet.keyframe && this.dropping);
  }

  shift(): EncodedPacket | undefined {
    if (this.head >= this.items.length) return undefined;
    const p = this.items[this.head];
    this.items[this.head] = undefined as unknown as EncodedPacket;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    if (p) this.bytes -= packetSize(p);
    return p;
  }

  peek(): EncodedPacket | undefined {
    return this.items[this.head];
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.bytes = 0;
  }

  private dropNonKeyVideo(): void {
    const kept: EncodedPacket[] = [];
    let dropped = 0;
    for (let i = this.head; i < this.items.length; i++) {
      const p = this.items[i];
      if (!p) continue;
      if (p.track === 'video' && !p.keyframe) {
        dropped++;
        this.bytes -= packetSize(p);
      } else kept.push(p);
    }
    this.items = kept;
    this.head = 0;
    this.framesDropped += dropped;
    this.dropping = true;
  }
}
