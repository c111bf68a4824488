/**
 * Receives the RTP that Janus forwards (simple-whip-server `recipient`) and decodes it with ffmpeg.
 *
 *   startRtpReceiver(opts: {
 *     videoPt: number;                       // negotiated video payload type (see below)
 *     videoCodec?: 'H264' | 'VP8' | 'VP9';   // default 'H264' (packetization-mode=1)
 *     audioPt?: number;                      // negotiated Opus payload type; omit for video only
 *     host?: string;                         // address to bind: the recipientHost of the Janus
 *                                            // that forwards (default: defaultRecipientHost() =
 *                                            // env TANDEM_PEERS_RECIPIENT_HOST, set by global
 *                                            // setup to the shared Janus', else 127.0.0.1). A
 *                                            // private startWhipServer(): pass whip.recipientHost
 *     timeoutMs?: number;                    // startup timeout (default 10 s)
 *     copy?: boolean;                        // count frames without decoding them (-c copy
 *                                            // -f framecrc: one line per reassembled access unit;
 *                                            // no size figures): for long runs, where decoding
 *                                            // would take a core
 *   }): Promise<RtpReceiver>
 *
 *   interface RtpReceiver {
 *     host: string;                          // bound address (also the SDP's c= line)
 *     videoPort: number;                     // pass as recipient.videoPort (even; +1 is RTCP)
 *     audioPort: number | undefined;         // pass as recipient.audioPort
 *     sdpPath: string;
 *     stats(): DecodeStats;                  // figures so far (decode.ts)
 *     waitForFrames(n: number, timeoutMs: number): Promise<DecodeStats>;  // rejects on timeout
 *     result(): Promise<DecodeStats & { stderrTail: string }>;  // stops ffmpeg (SIGINT) and
 *                                            // returns the final figures
 *     stop(): Promise<void>;                 // stop without reading; idempotent
 *   }
 *   payloadTypesFromSdp(sdp): { video?: { pt, codec }, audio?: { pt, codec } }
 *
 * Payload types: Janus forwards the publisher's RTP unchanged, with the payload types of the
 * negotiation. A publisher knows them from its answer SDP: the first payload type on each `m=` line
 * of the answer is the one in use. `payloadTypesFromSdp(answerSdp)` returns them. Because the
 * receiver must exist before the endpoint is created (its ports go into `recipient`) and the PT is
 * known only after the answer, the usual order is:
 *   1. pick the PTs the publisher WILL offer (publishers control their offer; Chromium: read them
 *      from the offer with payloadTypesFromSdp(offer), after setCodecPreferences), or
 *   2. create the endpoint with recipient ports from `reserveRtpPorts()`, publish, read the answer,
 *      then `startRtpReceiver({ ..., ports })` on those ports. Start it quickly: it waits for the
 *      next keyframe otherwise (Janus asks for one every fir_freq = 10 s).
 *   reserveRtpPorts({ audio?: boolean; host?: string }): Promise<{ videoPort, audioPort? }>
 *
 * Timing: ffmpeg's SDP input gives up ("Connection timed out") when no packet at all arrives for
 * about 10 s after it starts: start the receiver shortly before the forward begins (reserve the
 * ports first if the endpoint must be created earlier).
 *
 * ffmpeg: `-protocol_whitelist file,udp,rtp -localaddr HOST -i recv.sdp` (c=IN IP4 HOST) + decode.ts
 * output args. ffmpeg sends its RTCP receiver reports to the c= address, i.e. HOST itself: nothing
 * goes anywhere else. Ready = its UDP sockets are bound to HOST (polled in /proc/net/udp, nothing
 * is sent to them).
 */
import { readFile } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DecodeStatsParser, decodeOutputArgs, type DecodeStats } from './decode';
import { freeUdpPortPair, sleep, defaultRecipientHost } from './ports';
import { FFMPEG, makeTempDir, removeTempDir, spawnPeer, withStartupGuard } from './proc';

export type RtpVideoCodec = 'H264' | 'VP8' | 'VP9';

export interface RtpReceiverOptions {
  videoPt: number;
  videoCodec?: RtpVideoCodec;
  audioPt?: number;
  /** Address to bind (and the SDP's c=): default defaultRecipientHost(). */
  host?: string;
  /** Ports from reserveRtpPorts() (with the same host); default: fresh ones. */
  ports?: { videoPort: number; audioPort?: number };
  timeoutMs?: number;
  /** Count video access units without decoding (stats().frames; sizes stay 0). */
  copy?: boolean;
}

export interface RtpReceiver {
  readonly host: string;
  readonly videoPort: number;
  readonly audioPort: number | undefined;
  readonly sdpPath: string;
  stats(): DecodeStats;
  waitForFrames(n: number, timeoutMs: number): Promise<DecodeStats>;
  result(): Promise<DecodeStats & { stderrTail: string }>;
  stop(): Promise<void>;
}

export interface NegotiatedPt {
  pt: number;
  codec: string;
}

/** First payload type of the first audio and the first video m= section, with its codec name. */
export function payloadTypesFromSdp(sdp: string): { video?: NegotiatedPt; audio?: NegotiatedPt } {
  const out: { video?: NegotiatedPt; audio?: NegotiatedPt } = {};
  const sections = sdp.split(/\r?\n(?=m=)/).slice(1);
  for (const sec of sections) {
    const m = /^m=(audio|video) \d+ \S+ (\d+)/.exec(sec);
    if (!m || m[1] === undefined || m[2] === undefined) continue;
    const kind = m[1] as 'audio' | 'video';
    if (out[kind] || /^m=\S+ 0 /.test(sec)) continue; // first section per kind; port 0 = rejected
    const pt = Number(m[2]);
    const codec = new RegExp(`a=rtpmap:${pt} ([^/\\s]+)`).exec(sec)?.[1] ?? '';
    out[kind] = { pt, codec };
  }
  return out;
}

/** Video (and audio) ports for a receiver you will start later with `ports`. */
export async function reserveRtpPorts(opts: { audio?: boolean; host?: string } = {}): Promise<{ videoPort: number; audioPort?: number }> {
  const host = opts.host ?? defaultRecipientHost();
  const videoPort = await freeUdpPortPair(host);
  if (opts.audio === false) return { videoPort };
  let audioPort = await freeUdpPortPair(host);
  while (Math.abs(audioPort - videoPort) < 2) audioPort = await freeUdpPortPair(host);
  return { videoPort, audioPort };
}

function buildSdp(o: { host: string; videoPort: number; videoPt: number; videoCodec: RtpVideoCodec; audioPort?: number; audioPt?: number }): string {
  const lines = ['v=0', `o=- 0 0 IN IP4 ${o.host}`, 's=tandem test receiver', `c=IN IP4 ${o.host}`, 't=0 0'];
  if (o.audioPort !== undefined && o.audioPt !== undefined) {
    lines.push(`m=audio ${o.audioPort} RTP/AVP ${o.audioPt}`, `a=rtpmap:${o.audioPt} opus/48000/2`, 'a=recvonly');
  }
  lines.push(`m=video ${o.videoPort} RTP/AVP ${o.videoPt}`, `a=rtpmap:${o.videoPt} ${o.videoCodec}/90000`);
  if (o.videoCodec === 'H264') lines.push(`a=fmtp:${o.videoPt} packetization-mode=1`);
  lines.push('a=recvonly', '');
  return lines.join('\r\n');
}

/** An IPv4 address as /proc/net/udp shows it (host byte order, little-endian here): 127.0.0.1 → 0100007F. */
function procHexAddr(addr: string): string {
  return addr
    .split('.')
    .reverse()
    .map((b) => Number(b).toString(16).toUpperCase().padStart(2, '0'))
    .join('');
}

async function udpBound(host: string, port: number): Promise<boolean> {
  const text = await readFile('/proc/net/udp', 'utf8');
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return text.includes(`${procHexAddr(host)}:${hex} `) || text.includes(`00000000:${hex} `);
}

export async function startRtpReceiver(opts: RtpReceiverOptions): Promise<RtpReceiver> {
  const videoCodec = opts.videoCodec ?? 'H264';
  const wantAudio = opts.audioPt !== undefined;
  const host = opts.host ?? defaultRecipientHost();
  const ports = opts.ports ?? (await reserveRtpPorts({ audio: wantAudio, host }));
  const videoPort = ports.videoPort;
  const audioPort = wantAudio ? ports.audioPort : undefined;
  if (wantAudio && audioPort === undefined) throw new Error('startRtpReceiver: audioPt given but ports.audioPort missing');
  const dir = makeTempDir('rtp');
  const sdpPath = join(dir, 'recv.sdp');
  const sdpOpts: Parameters<typeof buildSdp>[0] = { host, videoPort, videoPt: opts.videoPt, videoCodec };
  if (audioPort !== undefined && opts.audioPt !== undefined) {
    sdpOpts.audioPort = audioPort;
    sdpOpts.audioPt = opts.audioPt;
  }
  writeFileSync(sdpPath, buildSdp(sdpOpts));
  const args = [
    '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info',
    '-protocol_whitelist', 'file,udp,rtp', '-localaddr', host,
    '-reorder_queue_size', '500',
    // Copying needs the frame size before the output starts: keep probing until an SPS arrives
    // (the forward can start mid-GOP, or before the publisher sends anything).
    ...(opts.copy ? ['-analyzeduration', '60000000', '-probesize', '500000000'] : []),
    '-i', sdpPath,
    ...(opts.copy ? ['-map', '0:v:0', '-c', 'copy', '-f', 'framecrc', '-'] : decodeOutputArgs()),
  ];
  const proc = spawnPeer('rtp-receiver', FFMPEG, args, { cwd: dir });
  const parser = new DecodeStatsParser();
  const waiters = new Set<() => void>();
  let copied = 0;
  proc.onLine((line) => {
    if (opts.copy && /^0,\s*-?\d+,/.test(line)) copied++;
    else parser.feed(line);
    for (const w of waiters) w();
  });
  const stats = (): DecodeStats => (opts.copy ? { ...parser.stats(), frames: copied } : parser.stats());

  await withStartupGuard(`RTP receiver (ffmpeg on udp ${host}:${videoPort}${audioPort ? `/${audioPort}` : ''})`, () => [proc], async () => {
    const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
    while (!((await udpBound(host, videoPort)) && (audioPort === undefined || (await udpBound(host, audioPort))))) {
      if (!proc.isAlive()) throw new Error('ffmpeg exited before binding its RTP ports');
      if (Date.now() > deadline) throw new Error('ffmpeg did not bind its RTP ports in time');
      await sleep(25);
    }
  });

  let finished: Promise<DecodeStats & { stderrTail: string }> | undefined;
  const finish = (): Promise<DecodeStats & { stderrTail: string }> => {
    finished ??= (async () => {
      await proc.stop({ signal: 'SIGINT', timeoutMs: 3000 });
      const r = { ...stats(), stderrTail: proc.logTail(3000) };
      removeTempDir(dir);
      return r;
    })();
    return finished;
  };

  return {
    host,
    videoPort,
    audioPort,
    sdpPath,
    stats,
    waitForFrames: (n, timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const s = stats();
          if (s.frames >= n) {
            cleanup();
            resolve(s);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          const s = stats();
          reject(new Error(`RTP receiver: ${s.frames}/${n} video frames after ${timeoutMs} ms\n${proc.logTail(1500)}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    result: finish,
    stop: async () => {
      await finish();
    },
  };
}
