// The sender's record of transport-wide sequence numbers (draft-holmer-rmcat-transport-wide-cc-
// extensions-01 §2: one 16-bit counter across all media streams), and the matching of feedback to
// it (draft-ietf-rmcat-gcc-02 §4: the sender side needs each packet's send time and size). A ring
// of fixed capacity (typed arrays, so memory is constant whatever is sent or fed back); entries
// also expire after `maxAgeMs`. Sequence numbers are unwrapped to increasing integers against the
// newest sent: a number more than half the space away is taken as the other direction.
import type { TwccFeedback } from './twcc';

const ST_EMPTY = 0;
const ST_SENT = 1;
const ST_LOST = 2;
const ST_RECEIVED = 3;

export interface AckedPacket {
  sendMs: number;
  /** Receive time on the receiver's clock (unwrapped reference time + deltas), ms. */
  arrivalMs: number;
  bytes: number;
}

export interface FeedbackMatch {
  /** Packets reported received for the first time, sorted by arrival time. */
  acked: AckedPacket[];
  /** Packets reported for the first time (received or lost). */
  expected: number;
  /** Of those, reported lost. */
  lost: number;
  /** Packets reported lost before and received now (reordering, a later feedback). */
  recovered: number;
  /** Reports for packets not in the history (never sent, expired, already reported). */
  unknown: number;
  /** Send time of the newest packet acked by this feedback. */
  newestSendMs: number | undefined;
}

export class SendHistory {
  private readonly seqs: Float64Array;
  private readonly sendMs: Float64Array;
  private readonly arrivalMs: Float64Array;
  private readonly bytes: Uint32Array;
  private readonly state: Uint8Array;
  /** Newest unwrapped sequence number sent; undefined before the first. */
  private newest: number | undefined;
  /** First unwrapped number ever sent (no entry below it exists). */
  private first = 0;
  /**
   * No entry below this is still waiting for a report (all were reported or expired), so marking
   * losses starts here: the work per feedback is what is still unreported, not the whole ring.
   */
  private lowUnreported = 0;

  constructor(
    readonly capacity = 1 << 14,
    readonly maxAgeMs = 5000,
  ) {
    this.seqs = new Float64Array(capacity).fill(-1);
    this.sendMs = new Float64Array(capacity);
    this.arrivalMs = new Float64Array(capacity);
    this.bytes = new Uint32Array(capacity);
    this.state = new Uint8Array(capacity);
  }

  /** Unwrap a 16-bit number against the newest sent (undefined before anything was sent). */
  unwrap(seq16: number): number | undefined {
    if (this.newest === undefined) return undefined;
    const diff = ((((seq16 - this.newest) & 0xffff) + 0x8000) & 0xffff) - 0x8000;
    return this.newest + diff;
  }

  /** Record a packet leaving; false (and nothing stored) for a number already in the history or too old. */
  onSent(seq16: number, sendMs: number, bytes: number): boolean {
    const s = seq16 & 0xffff;
    // Start high, so that unwrapping backwards never goes negative.
    const u = this.newest === undefined ? 0x100000 + s : this.unwrap(s)!;
    if (this.newest !== undefined && u <= this.newest - this.capacity) return false;
    const i = u % this.capacity;
    const held = this.seqs[i]!;
    if (held >= u) return false; // a duplicate, or an older number whose slot is reused
    this.seqs[i] = u;
    this.sendMs[i] = sendMs;
    this.bytes[i] = bytes;
    this.state[i] = ST_SENT;
    if (this.newest === undefined) this.first = this.lowUnreported = u;
    if (this.newest === undefined || u > this.newest) this.newest = u;
    if (u < this.first) this.first = u;
    if (u < this.lowUnreported) this.lowUnreported = u;
    return true;
  }

  /** Entries currently held (bounded by `capacity`). */
  get size(): number {
    let n = 0;
    for (const st of this.state) if (st !== ST_EMPTY) n++;
    return n;
  }

  /**
   * Apply one feedback. `referenceMs` is its unwrapped reference time on the receiver's clock;
   * packets sent before `nowMs − maxAgeMs` count as unknown.
   */
  applyFeedback(fb: TwccFeedback, referenceMs: number, nowMs: number): FeedbackMatch {
    const out: FeedbackMatch = { acked: [], expected: 0, lost: 0, recovered: 0, unknown: 0, newestSendMs: undefined };
    const base = this.unwrap(fb.baseSeq);
    if (base === undefined || this.newest === undefined) {
      out.unknown = fb.statusCount;
      return out;
    }
    const oldestAllowed = nowMs - this.maxAgeMs;
    const live = (u: number): number => {
      if (u > this.newest! || u <= this.newest! - this.capacity) return -1;
      const i = u % this.capacity;
      return this.seqs[i] === u && this.sendMs[i]! >= oldestAllowed ? i : -1;
    };
    for (const r of fb.received) {
      const i = live(base + r.index);
      if (i < 0 || this.state[i] === ST_RECEIVED) {
        out.unknown++;
        continue;
      }
      if (this.state[i] === ST_LOST) {
        out.recovered++;
      } else {
        out.expected++;
      }
      this.state[i] = ST_RECEIVED;
      const arrival = referenceMs + r.arrivalUs / 1000;
      this.arrivalMs[i] = arrival;
      const send = this.sendMs[i]!;
      out.acked.push({ sendMs: send, arrivalMs: arrival, bytes: this.bytes[i]! });
      if (out.newestSendMs === undefined || send > out.newestSendMs) out.newestSendMs = send;
    }
    // The rest of the range was reported not received. Walk only the part the ring can hold.
    const floor = Math.max(this.newest - this.capacity + 1, this.first);
    const last = Math.min(base + fb.statusCount - 1, this.newest);
    for (let u = Math.max(base, floor, this.lowUnreported); u <= last; u++) {
      const i = live(u);
      if (i >= 0 && this.state[i] === ST_SENT) {
        this.state[i] = ST_LOST;
        out.expected++;
        out.lost++;
      }
    }
    let low = Math.max(this.lowUnreported, floor);
    while (low <= this.newest) {
      const i = live(low);
      if (i >= 0 && this.state[i] === ST_SENT) break;
      low++;
    }
    this.lowUnreported = low;
    out.acked.sort((a, b) => a.arrivalMs - b.arrivalMs || a.sendMs - b.sendMs);
    return out;
  }
}
