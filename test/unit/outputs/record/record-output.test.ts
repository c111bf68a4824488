import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RecordOutput } from '../../../../src/main/outputs/record/record-output';
import { encodeFlvTag, flvHeader, FlvTagType } from '../../../../src/main/protocol/flv/file';
import { aacSequenceHeaderTag, avcSequenceHeaderTag } from '../../../../src/main/protocol/flv/tags';
import { AdtsFramer, AnnexBFramer } from '../../../../src/main/encoder/framing';
import { NalType, nalType } from '../../../../src/main/protocol/h264/nal';
import { parseSps } from '../../../../src/main/protocol/h264/sps';
import { adtsToAudioSpecificConfig } from '../../../../src/main/protocol/aac/adts';
import { runCapture } from '../../../../src/main/encoder/process';
import { audioPacket, videoPacket, type CodecConfig, type EncodedPacket } from '../../../../src/main/protocol/media';

const fx = (p: string): Uint8Array => new Uint8Array(readFileSync(join(__dirname, '../../../fixtures', p)));
const dir = mkdtempSync(join(tmpdir(), 'tandem-rec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('FLV writer', () => {
  it('writes the header and tags with PreviousTagSize', () => {
    expect([...flvHeader(true, true)]).toEqual([0x46, 0x4c, 0x56, 1, 5, 0, 0, 0, 9, 0, 0, 0, 0]);
    const tag = encodeFlvTag({ type: FlvTagType.Video, timestamp: 0x01020304, body: new Uint8Array([9, 9]) });
    expect([...tag]).toEqual([9, 0, 0, 2, 0x02, 0x03, 0x04, 0x01, 0, 0, 0, 9, 9, 0, 0, 0, 13]);
    expect([...aacSequenceHeaderTag(new Uint8Array([0x11, 0x90]))]).toEqual([0xaf, 0, 0x11, 0x90]);
    expect([...avcSequenceHeaderTag(new Uint8Array([1])).subarray(0, 5)]).toEqual([0x17, 0, 0, 0, 0]);
  });
});

function fixturePackets(): { configs: CodecConfig[]; packets: EncodedPacket[] } {
  const f = new AnnexBFramer();
  const aus = [...f.push(fx('h264/testsrc-320x240-15f.h264')), ...f.flush()];
  const first = aus[0]!.nalus;
  const sps = first.filter((n) => nalType(n) === NalType.SPS);
  const pps = first.filter((n) => nalType(n) === NalType.PPS);
  const info = parseSps(sps[0]!);
  const frames = new AdtsFramer().push(fx('aac/sine-48k-stereo.adts'));
  const configs: CodecConfig[] = [
    { codec: 'h264', width: info.width, height: info.height, fps: 30, sps, pps },
    { codec: 'aac', sampleRate: 48000, channels: 2, asc: adtsToAudioSpecificConfig(frames[0]!.header) },
  ];
  const t0 = 7_000_000_000; // capture clock far from zero: the file starts at 0 anyway
  const packets: EncodedPacket[] = [
    ...aus.map((au, i) => videoPacket('h264', t0 + Math.round((i * 1e6) / 30), t0 + Math.round((i * 1e6) / 30), au.keyframe, au.nalus)),
    ...frames.map((fr, i) => audioPacket('aac', t0 + Math.round((i * 1024 * 1e6) / 48000), fr.payload)),
  ].sort((a, b) => a.dts - b.dts);
  return { configs, packets };
}

async function probe(path: string): Promise<string> {
  const r = await runCapture('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_name,width,height,nb_read_frames', '-of', 'compact', path]);
  return r.stdout;
}

describe('RecordOutput', () => {
  for (const ext of ['mkv', 'mp4', 'flv']) {
    it(`remuxes packets into a playable .${ext}`, async () => {
      const { configs, packets } = fixturePackets();
      const path = join(dir, `a.${ext}`);
      const out = new RecordOutput({ path, ffmpegPath: 'ffmpeg' });
      const states: string[] = [];
      out.on('state', (s) => states.push(s));
      await out.start(configs);
      for (const p of packets) out.write(p);
      await out.stop();
      await out.stop(); // idempotent
      expect(states).toEqual(['connecting', 'live', 'stopping', 'stopped']);
      const info = await probe(path);
      expect(info).toContain('codec_name=h264|width=320|height=240|nb_read_frames=15');
      expect(info).toMatch(/codec_name=aac\|.*nb_read_frames=1[23]/);
      expect(out.stats()).toMatchObject({ framesSent: 15, framesDropped: 0, protocol: 'record' });
    });
  }
  it('drops what comes before the first keyframe and refuses a config without video', async () => {
    const { configs, packets } = fixturePackets();
    const out = new RecordOutput({ path: join(dir, 'b.mkv'), ffmpegPath: 'ffmpeg' });
    await expect(out.start(configs.filter((c) => c.codec !== 'h264'))).rejects.toThrow(/H.264/);
    const out2 = new RecordOutput({ path: join(dir, 'c.mkv'), ffmpegPath: 'ffmpeg' });
    await out2.start(configs);
    for (const p of packets.filter((p) => !(p.track === 'video' && p.keyframe && p.dts === packets[0]!.dts))) out2.write(p);
    await out2.stop();
    expect(await probe(join(dir, 'c.mkv'))).toContain('nb_read_frames=5'); // from the 2nd IDR (frame 10)
  });
  it('reports a recorder that cannot write its file', async () => {
    const { configs, packets } = fixturePackets();
    const out = new RecordOutput({ path: '/nonexistent-dir/x.mkv', ffmpegPath: 'ffmpeg' });
    const errors: string[] = [];
    out.on('error', (e) => errors.push(e.code));
    await out.start(configs);
    for (const p of packets) out.write(p);
    await out.stop();
    expect(out.stats().state).toBe('failed');
    expect(out.stats().lastError?.message).toMatch(/No such file or directory/);
    expect(errors).toEqual(['encoder-failed']);
  });
});
