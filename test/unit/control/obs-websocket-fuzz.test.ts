// 100 000 malformed, mistyped or oversized messages at the obs-websocket endpoint (generators and
// runner in test/helpers/obs-fuzz.ts). Every one must get its answer (a RequestStatus code, or the
// close code the protocol gives), and afterwards a healthy client still connects and is served.
// test/e2e/obs-websocket.test.ts runs a bounded variant against `tandem serve` while live.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TappedOBS, startRig, type Rig } from '../../helpers/obs-websocket';
import { formatCounts, runFuzz } from '../../helpers/obs-fuzz';

const TOTAL = 100_000;
const CLOSING = 1_000; // one connection each

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig.close();
});

describe('obs-websocket fuzz', () => {
  it(`${TOTAL} malformed or oversized messages: each answered, the server stays up`, async () => {
    const t0 = performance.now();
    const seed = 15;
    const cpu0 = process.cpuUsage();
    // Types that would start ffmpeg, write files or sleep are left out; everything else is fair game.
    const res = await runFuzz(rig.url, { total: TOTAL, closing: CLOSING, seed, excluded: ['StartRecord', 'ToggleRecord', 'Sleep'] });
    const cpu = process.cpuUsage(cpu0);
    const fuzzMs = performance.now() - t0;
    expect(res.problems).toEqual([]);
    const closes = [...res.closeCounts.values()].reduce((a, b) => a + b, 0);
    expect(res.answered + closes).toBe(TOTAL);

    // The server is still up and serves a healthy client.
    const obs = new TappedOBS();
    await obs.connect(rig.url);
    await obs.call('SetCurrentProgramScene', { sceneName: 'Main' });
    expect((await obs.call('GetCurrentProgramScene')).sceneName).toBe('Main');
    expect((await obs.call('GetVersion')).rpcVersion).toBe(1);
    expect(rig.server.clients()).toHaveLength(1);
    await obs.disconnect();

    console.log(`[fuzz] seed ${seed}: ${TOTAL} messages (${(res.bytes / 1e6).toFixed(1)} MB in sessions) in ${(fuzzMs / 1000).toFixed(1)} s, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU (client and server); ${res.answered} answered in-session (request statuses ${formatCounts(res.statusCounts)}); ${closes} closes (${formatCounts(res.closeCounts)})`);
  }, 150_000); // bounded by this timeout; how fast it runs is not a property under test
});
