// The CPU cost of WHIP's congestion control and of its repairs, per destination (issue #13
// "Benchmarks"), set against what a whole WHIP destination costs (docs/benchmarks/whip.md, measured
// before the controller existed).
// (a) The estimator (src/main/protocol/cc) in closed loop over the seeded link simulator
//     (test/helpers/link-sim.ts) for SIM_SEC simulated seconds: every call the peer makes into it
//     (onPacketSent per RTP packet, onRtcp per parsed feedback item, process, target, the SR hook)
//     is timed, the simulator itself is not. Figure = CPU-ms of estimator per second of media.
//     Modes: transport-cc (TWCC every 50 ms plus RRs) and receiver reports only; 2.5 and 6 Mbit/s
//     over a link of 1.2× the stream, 1 % random loss.
// (b) Repairs: planRepairs + rtxPayload (src/main/outputs/whip/peer-repair.ts) for a NACK of
//     `LOST` packets out of a 1 s history of 1200-byte packets, as at 5 % loss on 2.5 Mbit/s;
//     µs per repaired packet. SRTP and the socket send of a repair cost what any packet costs
//     (in the whole-destination figure).
// Medians of RUNS runs. Run: npx tsx bench/whip-cc.ts   (env RUNS=5 SIM_SEC=60)
import { SendSideBandwidthEstimator } from '../src/main/protocol/cc/estimator';
import { RetransmissionBuffer } from '../src/main/outputs/whip/history';
import { RepairPolicy } from '../src/main/protocol/rtp/repair';
import { planRepairs, rtxPayload } from '../src/main/outputs/whip/peer-repair';
import { runLinkSim } from '../test/helpers/link-sim';
import { machineInfo, machineLine, mdTable, writeResults } from './_lib/report';
import { median } from './_lib/stats';

const RUNS = Number(process.env['RUNS'] ?? 5);
const SIM_SEC = Number(process.env['SIM_SEC'] ?? 60);
const LOST = 12;

/** Total time spent inside the estimator's methods while `fn` runs, ms. */
function timeEstimator<T>(fn: () => T): { result: T; ms: number } {
  const proto = SendSideBandwidthEstimator.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const names = ['onPacketSent', 'onRtcp', 'process', 'target', 'onSenderReportSent'] as const;
  const originals = names.map((n) => proto[n]!);
  let ms = 0;
  let depth = 0;
  names.forEach((n, i) => {
    const orig = originals[i]!;
    proto[n] = function (this: unknown, ...args: unknown[]): unknown {
      if (depth > 0) return orig.apply(this, args); // a method calling another is counted once
      depth++;
      const t0 = performance.now();
      try {
        return orig.apply(this, args);
      } finally {
        ms += performance.now() - t0;
        depth--;
      }
    };
  });
  try {
    return { result: fn(), ms };
  } finally {
    names.forEach((n, i) => (proto[n] = originals[i]!));
  }
}

interface CcRow {
  mode: 'twcc' | 'rr';
  kbps: number;
  msPerSec: number[];
  packetsPerSec: number;
  feedbackPerSec: number;
}

function ccRow(mode: 'twcc' | 'rr', kbps: number): CcRow {
  const msPerSec: number[] = [];
  let packets = 0;
  let feedback = 0;
  for (let i = 0; i < RUNS; i++) {
    const { result, ms } = timeEstimator(() =>
      runLinkSim({ seed: 100 + i, durationMs: SIM_SEC * 1000, capacityBps: kbps * 1200, lossRate: 0.01, feedback: mode, estimator: { minBps: 300_000, maxBps: kbps * 1000, startBps: kbps * 1000 } }),
    );
    msPerSec.push(ms / SIM_SEC);
    packets = result.sent / SIM_SEC;
    feedback = result.feedbackPackets / SIM_SEC;
  }
  return { mode, kbps, msPerSec, packetsPerSec: packets, feedbackPerSec: feedback };
}

function repairUsPerPacket(): number[] {
  const out: number[] = [];
  const perSec = 260; // 2.5 Mbit/s in 1200-byte packets
  for (let run = 0; run < RUNS; run++) {
    const h = new RetransmissionBuffer(4096, 1000);
    const policy = new RepairPolicy();
    const payload = new Uint8Array(1200);
    let seq = 0;
    let repaired = 0;
    let us = 0;
    for (let t = 0; t < SIM_SEC * 1000; t += 1000 / perSec) {
      h.put({ seq: seq & 0xffff, timestamp: seq * 90, marker: false, payload, sentMs: t, lastSentMs: t, resends: 0 });
      seq++;
      // One NACK every 100 ms for LOST/10 packets of the last 100 ms: LOST packets a second.
      if (seq % Math.round(perSec / 10) === 0) {
        const lost = Array.from({ length: Math.max(1, Math.round(LOST / 10)) }, (_, k) => (seq - 5 - 3 * k) & 0xffff);
        const t0 = performance.now();
        const plan = planRepairs(h, policy, lost, t, 150, 0.05);
        for (const p of plan.packets) rtxPayload(p);
        us += (performance.now() - t0) * 1000;
        repaired += plan.packets.length;
      }
    }
    out.push(us / Math.max(1, repaired));
  }
  return out;
}

function main(): void {
  const machine = machineInfo();
  ccRow('twcc', 2500); // warm-up: the first runs measure V8's compiler, not the estimator
  repairUsPerPacket();
  const cc = [ccRow('twcc', 2500), ccRow('twcc', 6000), ccRow('rr', 2500), ccRow('rr', 6000)];
  for (const r of cc) console.log(`estimator ${r.mode} ${r.kbps} kbit/s: ${median(r.msPerSec).toFixed(3)} CPU-ms per s of media (${r.packetsPerSec.toFixed(0)} packets/s, ${r.feedbackPerSec.toFixed(1)} feedback/s)`);
  const repair = repairUsPerPacket();
  console.log(`repairs: ${median(repair).toFixed(2)} µs per repaired packet`);
  const m = machine.finish();
  writeResults(
    'whip-cc',
    { machine: m, runs: RUNS, simSec: SIM_SEC, estimator: cc, repairUsPerPacket: repair },
    `# WHIP congestion control and repairs: CPU per destination (bench/whip-cc.ts)

Issue #13. What the congestion controller and the NACK repairs add to one WHIP destination.

## Method

- **Estimator**: \`SendSideBandwidthEstimator\` (src/main/protocol/cc) in closed loop over the
  seeded link simulator (test/helpers/link-sim.ts: a drop-tail bottleneck of 1.2× the stream, 1 %
  random loss, feedback serialised and parsed as RTCP bytes) for ${SIM_SEC} simulated seconds. Only
  the time inside the estimator's methods is counted (the peer's calls, after one warm-up round: \`onPacketSent\` per RTP
  packet, \`onRtcp\` per feedback item, \`process\`, \`target\`, the SR hook); the simulator and the RTCP
  parser are not. Figure: CPU-ms per second of media, median of ${RUNS} runs (seeds 100…).
- **Repairs**: \`planRepairs\` + \`rtxPayload\` (src/main/outputs/whip/peer-repair.ts) answering
  ${LOST} lost packets a second out of a 1 s history, at 5 % loss and RTT 150 ms (so up to 3
  copies each); µs per repaired packet. The SRTP and socket cost of a repair is that of any packet.
- **Against**: one whole WHIP destination costs 89-127 CPU-ms per second of media
  (docs/benchmarks/whip.md: werift's packetisation, SRTP, pacing and RTCP, before the controller).

## Machine

${machineLine(m)}

## Estimator

${mdTable(['feedback', 'stream kbit/s', 'CPU-ms per s of media', 'share of a destination (÷ 89-127 ms)', 'RTP packets/s', 'feedback packets/s', 'runs'], cc.map((r) => {
  const x = median(r.msPerSec);
  return [r.mode === 'twcc' ? 'transport-cc + RR' : 'RR only', String(r.kbps), x.toFixed(3), `${((x / 127) * 100).toFixed(1)}-${((x / 89) * 100).toFixed(1)} %`, r.packetsPerSec.toFixed(0), r.feedbackPerSec.toFixed(1), r.msPerSec.map((v) => v.toFixed(3)).join(', ')];
}))}

## Repairs

${median(repair).toFixed(2)} µs per repaired packet (runs: ${repair.map((v) => v.toFixed(2)).join(', ')}). At 5 % loss on a 2.5 Mbit/s
stream (about 13 lost packets a second, each sent up to 3 times) that is
${((median(repair) * 13 * 3) / 1000).toFixed(3)} CPU-ms per second of media, plus the SRTP and send of the copies.
`,
  );
}

main();
