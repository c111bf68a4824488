// Packet groups and their delay variation, draft-ietf-rmcat-gcc-02 §5.2 (the sender-side form,
// with send times instead of RTP timestamps, as libwebrtc's InterArrivalDelta does):
// - a group is the packets sent within `groupMs` (5 ms) of the group's first packet (§5.2: "a
//   sequence of packets sent within a burst_time interval");
// - a packet that arrives within 5 ms of the previous one while its propagation delta is negative
//   joins the group anyway (§5.2, a burst delivered together after a stall), up to 100 ms per group;
// - when a group completes, the deltas between it and the group before it are
//   d(i) = t(i) − t(i−1) − (T(i) − T(i−1)), reported as a send delta and an arrival delta;
// - a packet sent before the current group started is reordered and skipped; an arrival clock
//   that jumps 3 s beyond the sender's clock, or 3 groups in a row arriving backwards, resets.

export interface GroupDelta {
  /** T(i) − T(i−1): last send times of the two groups, ms. */
  sendDeltaMs: number;
  /** t(i) − t(i−1): last arrival times of the two groups, ms. */
  arrivalDeltaMs: number;
  /** Arrival time of the completed group's last packet, ms (receiver clock). */
  arrivalMs: number;
}

export const INTER_ARRIVAL = {
  groupMs: 5,
  burstDeltaMs: 5,
  maxBurstMs: 100,
  clockJumpMs: 3000,
  reorderResets: 3,
} as const;

interface Group {
  firstSendMs: number;
  lastSendMs: number;
  firstArrivalMs: number;
  lastArrivalMs: number;
  /** The sender's clock when the group's last packet was fed back. */
  localMs: number;
}

export class InterArrival {
  private current: Group | undefined;
  private previous: Group | undefined;
  private reordered = 0;
  resets = 0;

  /** Feed one acked packet (in arrival order); returns the deltas when it completes a group. */
  add(sendMs: number, arrivalMs: number, localMs: number): GroupDelta | undefined {
    const cur = this.current;
    if (!cur) {
      this.current = { firstSendMs: sendMs, lastSendMs: sendMs, firstArrivalMs: arrivalMs, lastArrivalMs: arrivalMs, localMs };
      return undefined;
    }
    if (sendMs < cur.firstSendMs) return undefined; // reordered
    if (!this.startsNewGroup(cur, sendMs, arrivalMs)) {
      cur.lastSendMs = Math.max(cur.lastSendMs, sendMs);
      cur.lastArrivalMs = arrivalMs;
      cur.localMs = localMs;
      return undefined;
    }
    let delta: GroupDelta | undefined;
    const prev = this.previous;
    if (prev) {
      const sendDeltaMs = cur.lastSendMs - prev.lastSendMs;
      const arrivalDeltaMs = cur.lastArrivalMs - prev.lastArrivalMs;
      const localDeltaMs = cur.localMs - prev.localMs;
      if (arrivalDeltaMs - localDeltaMs >= INTER_ARRIVAL.clockJumpMs) {
        this.reset();
        return this.add(sendMs, arrivalMs, localMs);
      }
      if (arrivalDeltaMs < 0) {
        if (++this.reordered >= INTER_ARRIVAL.reorderResets) {
          this.reset();
          return this.add(sendMs, arrivalMs, localMs);
        }
        // The group is dropped; the new packet starts the next one after it.
        this.current = { firstSendMs: sendMs, lastSendMs: sendMs, firstArrivalMs: arrivalMs, lastArrivalMs: arrivalMs, localMs };
        return undefined;
      }
      this.reordered = 0;
      delta = { sendDeltaMs, arrivalDeltaMs, arrivalMs: cur.lastArrivalMs };
    }
    this.previous = cur;
    this.current = { firstSendMs: sendMs, lastSendMs: sendMs, firstArrivalMs: arrivalMs, lastArrivalMs: arrivalMs, localMs };
    return delta;
  }

  reset(): void {
    this.current = undefined;
    this.previous = undefined;
    this.reordered = 0;
    this.resets++;
  }

  private startsNewGroup(cur: Group, sendMs: number, arrivalMs: number): boolean {
    if (this.belongsToBurst(cur, sendMs, arrivalMs)) return false;
    return sendMs - cur.firstSendMs > INTER_ARRIVAL.groupMs;
  }

  private belongsToBurst(cur: Group, sendMs: number, arrivalMs: number): boolean {
    const arrivalDelta = arrivalMs - cur.lastArrivalMs;
    const sendDelta = sendMs - cur.lastSendMs;
    if (sendDelta === 0) return true;
    const propagationDelta = arrivalDelta - sendDelta;
    return propagationDelta < 0 && arrivalDelta <= INTER_ARRIVAL.burstDeltaMs && arrivalMs - cur.firstArrivalMs < INTER_ARRIVAL.maxBurstMs;
  }
}
