// The one StudioApi contract (docs/ARCHITECTURE.md "Processes and transports"). Both transports — Electron IPC through
// the preload, and the local WebSocket for browser mode — carry exactly these methods, validated
// with zod where they cross a process boundary.
import { z } from 'zod';
import type { ApiEvent, ApiMethod } from './methods';
import type { EncoderGroupStats, OutputStats } from './stats';
import { SceneDocSchema, TransitionSchema } from './scene/model';
import { SceneOpSchema } from './scene/op-schema';
import { boundedNumber, requiredText } from './validation';

export const ProtocolSchema = z.enum(['rtmp', 'rtmps', 'whip']);
export type DestinationProtocol = z.infer<typeof ProtocolSchema>;

export const DestinationStateSchema = z.enum(['idle', 'connecting', 'live', 'reconnecting', 'stopping', 'stopped', 'failed']);

/** An error as a destination or the recorder shows it (the UI words it by code: i18n/errors.ts). */
const ShownErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  /** The server's status (an HTTP code, an RTMP level.code), shown in every language. */
  status: z.string().optional(),
});

export const DestinationSchema = z.object({
  id: z.string(),
  name: z.string(),
  protocol: ProtocolSchema,
  /** Server URL without the secret (RTMP: rtmp://host/app; WHIP: the endpoint URL). */
  url: z.string(),
  /** The stream key or bearer token, masked for display. Never the secret itself. */
  secretMasked: z.string(),
  hasSecret: z.boolean(),
  enabled: z.boolean(),
  state: DestinationStateSchema,
  /** This destination's own video bitrate (its encoder group); the studio's setting when absent. */
  videoBitrateKbps: z.number().int().optional(),
  /** RTMPS: accept a certificate that is not trusted (self-signed lab servers). Off by default. */
  allowUntrustedCertificate: z.boolean().optional(),
  error: ShownErrorSchema.optional(),
  /** While reconnecting: when the next attempt starts (epoch ms), and which attempt it is. */
  retry: z.object({ at: z.number(), attempt: z.number() }).optional(),
});
export type Destination = z.infer<typeof DestinationSchema>;

const name = requiredText(80);
const url = requiredText(2048);
const secret = z.string().max(1024);
const destBitrate = boundedNumber(100, 100_000, { int: true });

export const DestinationInputSchema = z.object({
  name,
  protocol: ProtocolSchema,
  url,
  /** RTMP stream key or WHIP bearer token. */
  secret: secret.optional(),
  enabled: z.boolean().optional(),
  /** Own video bitrate, kbit/s; null or absent = the studio's setting. */
  videoBitrateKbps: destBitrate.nullable().optional(),
  allowUntrustedCertificate: z.boolean().optional(),
});
export type DestinationInput = z.infer<typeof DestinationInputSchema>;

/**
 * The obs-websocket 5 endpoint (docs/ARCHITECTURE.md "Processes and transports"): off by default,
 * port 4455, this machine only unless `lan`, which needs the password. The password itself is a
 * secret (kept with the stream keys), never a setting.
 */
export const ObsWebSocketSettingsSchema = z
  .object({
    enabled: z.boolean(),
    port: boundedNumber(1, 65535, { int: true }),
    /** Listen on every network interface, not just 127.0.0.1. */
    lan: z.boolean(),
    /** Clients must give the password (always, on the network). */
    auth: z.boolean(),
  })
  .superRefine((o, ctx) => {
    if (o.lan && !o.auth) ctx.addIssue({ code: 'custom', path: ['auth'], message: 'the obs-websocket server needs a password to listen on the network', params: { key: 'lanNeedsPassword' } });
  });
export type ObsWebSocketSettings = z.infer<typeof ObsWebSocketSettingsSchema>;

export const SettingsSchema = z.object({
  width: boundedNumber(160, 7680, { int: true, multipleOf: 4 }),
  height: boundedNumber(90, 4320, { int: true, multipleOf: 4 }),
  fps: boundedNumber(1, 120, { int: true }),
  videoBitrateKbps: boundedNumber(100, 100_000, { int: true }),
  audioBitrateKbps: boundedNumber(32, 512, { int: true }),
  keyintSec: boundedNumber(0.5, 10),
  /** 'webcodecs': the renderer encodes (hardware where the OS offers it), ffmpeg's libx264 as the fallback. */
  encoder: z.enum(['webcodecs', 'libx264', 'h264_nvenc', 'h264_qsv', 'h264_vaapi', 'h264_videotoolbox', 'h264_amf']),
  recordFormat: z.enum(['mkv', 'mp4', 'flv']),
  /** The recording's own video bitrate, kbit/s; 0 = the same as the stream's. */
  recordVideoBitrateKbps: boundedNumber(0, 200_000, { int: true }),
  recordFolder: z.string().max(4096),
  /** 'auto' follows the OS / browser locale. */
  language: z.enum(['auto', 'en', 'zh-CN']),
  obsWebSocket: ObsWebSocketSettingsSchema,
});
export type Settings = z.infer<typeof SettingsSchema>;

/** A tool connected to the obs-websocket endpoint, as the Settings dialog lists it. */
export const ObsWebSocketClientSchema = z.object({
  id: z.string(),
  address: z.string(),
  port: z.number(),
  connectedAt: z.number(),
  /** When it identified (epoch ms); null while it has not (or gave a wrong password). */
  identifiedAt: z.number().nullable(),
  rpcVersion: z.number().nullable(),
});

export const ObsWebSocketStatusSchema = z.object({
  enabled: z.boolean(),
  running: z.boolean(),
  host: z.string().optional(),
  port: z.number().optional(),
  /** The addresses to paste into a tool (ws://host:port), this machine's first. */
  urls: z.array(z.string()),
  authRequired: z.boolean(),
  clients: z.array(ObsWebSocketClientSchema),
  /** Why it is not running although enabled (a busy port…). */
  error: z.string().optional(),
  /** Set for this run by `tandem serve --obs-websocket-port/--obs-websocket-password`. */
  commandLine: z.boolean(),
});
export type ObsWebSocketStatus = z.infer<typeof ObsWebSocketStatusSchema>;
const Password = z.object({ password: z.string() });

export const StatsSchema = z.custom<OutputStats>((v) => typeof v === 'object' && v !== null && 'id' in v);

export const RecordingSchema = z.object({
  active: z.boolean(),
  /** Where the file goes (the last one, once stopped). */
  path: z.string().optional(),
  startedAt: z.number().optional(),
  error: ShownErrorSchema.optional(),
});
export type Recording = z.infer<typeof RecordingSchema>;

export const EngineStatsSchema = z.object({
  /** Engine process CPU over the last interval, % of one core. */
  cpuPercent: z.number(),
  /** Raw media received from the renderer since the session started. */
  mediaIn: z.object({
    videoFrames: z.number(),
    /** Paced frames ffmpeg could not take (over 4 frames behind). */
    videoDropped: z.number(),
    audioChunks: z.number(),
    wrongSize: z.number(),
    bytes: z.number(),
    /** Output ticks that repeated the previous picture because the renderer was late. */
    repeated: z.number(),
    /** Renderer frames replaced by a newer one before the next tick. */
    superseded: z.number(),
    /** Encoded video chunks from the renderer (WebCodecs path). */
    chunks: z.number(),
  }),
  /** One entry per encoder group: bitrate target vs actual, frames, keyframes, encode time, path. */
  groups: z.array(z.custom<EncoderGroupStats>((v) => typeof v === 'object' && v !== null && 'id' in v)),
  encoder: z
    .object({ videoFrames: z.number(), keyframes: z.number(), lagMs: z.number(), aacPackets: z.number(), opusPackets: z.number() })
    .nullable(),
  /** The engine process' memory (process.memoryUsage()): resident set and V8 heap in use, MB. */
  memory: z.object({ rssMb: z.number(), heapUsedMb: z.number() }),
});
export type EngineStats = z.infer<typeof EngineStatsSchema>;

export const EncodersSchema = z.object({
  ffmpeg: z.object({ path: z.string(), version: z.string(), source: z.string() }).nullable(),
  /** H.264 encoders this ffmpeg offers (compiled in; the hardware may still be absent). */
  video: z.array(z.string()),
  error: z.string().optional(),
  /** The video path in use (or that the next session will use), and why. */
  path: z.enum(['webcodecs', 'ffmpeg']),
  pathReason: z.string(),
  /** What the renderer reported about WebCodecs H.264 encoding. */
  webcodecs: z.object({ supported: z.boolean(), reason: z.string().optional(), codec: z.string().optional() }).nullable(),
});

export const VideoSupportSchema = z
  .object({
    webcodecs: z.boolean(),
    /** Why not (isConfigSupported said no, no VideoEncoder, an encoder error). */
    reason: z.string().max(500).optional(),
    /** The codec string that was checked. */
    codec: z.string().max(64).optional(),
  })
  .strict();
export type VideoSupport = z.infer<typeof VideoSupportSchema>;

export const VideoStateSchema = z.object({
  path: z.enum(['webcodecs', 'ffmpeg']),
  /** Why this path: the setting, or the renderer's report. */
  reason: z.string(),
  /** While capturing: 'missing' when no video has arrived from the renderer for 2 s. */
  input: z.enum(['idle', 'ok', 'missing']),
  /** Why video is missing, when the engine knows (a media channel closed for a malformed chunk). */
  inputProblem: z.string().optional(),
});
export type VideoState = z.infer<typeof VideoStateSchema>;

export const StudioStateSchema = z.object({
  sceneDoc: SceneDocSchema,
  canUndo: z.boolean(),
  canRedo: z.boolean(),
  destinations: z.array(DestinationSchema),
  recording: RecordingSchema,
  /** True while the engine wants raw frames and PCM from the renderer (recording or live). */
  capture: z.boolean(),
  settings: SettingsSchema,
  live: z.boolean(),
  /** When the first destination went live (epoch ms), while any is live. */
  liveSince: z.number().nullable(),
  engine: z.object({ version: z.string(), mode: z.enum(['electron', 'browser', 'headless']) }),
  /** Where stream keys and tokens are kept: the OS keychain (desktop), an encrypted file (browser mode), or memory. */
  secretStorage: z.enum(['os-keychain', 'encrypted-file', 'memory']),
  video: VideoStateSchema,
});
export type StudioState = z.infer<typeof StudioStateSchema>;

const Empty = z.object({}).strict().optional();
const ById = z.object({ id: z.string().min(1) }).strict();
const Ids = z.object({ ids: z.array(z.string()).optional() }).strict().optional();

export const apiContract = {
  getState: { params: Empty, result: StudioStateSchema },
  setActiveScene: { params: ById, result: z.null() },
  sceneOp: { params: SceneOpSchema, result: z.null() },
  setTransition: { params: TransitionSchema.strict(), result: z.null() },
  undo: { params: Empty, result: z.null() },
  redo: { params: Empty, result: z.null() },
  listDestinations: { params: Empty, result: z.array(DestinationSchema) },
  addDestination: { params: DestinationInputSchema.strict(), result: DestinationSchema },
  updateDestination: {
    params: z.object({ id: z.string().min(1), patch: DestinationInputSchema.partial().strict() }).strict(),
    result: DestinationSchema,
  },
  removeDestination: { params: ById, result: z.null() },
  getSettings: { params: Empty, result: SettingsSchema },
  updateSettings: { params: SettingsSchema.partial().strict(), result: SettingsSchema },
  goLive: { params: Ids, result: z.null() },
  stopLive: { params: Ids, result: z.null() },
  retryDestination: { params: ById, result: z.null() },
  reportVideoSupport: { params: VideoSupportSchema, result: z.null() },
  startRecording: { params: z.object({ path: z.string().min(1).max(4096).optional() }).strict().optional(), result: RecordingSchema },
  stopRecording: { params: Empty, result: RecordingSchema },
  getStats: { params: Empty, result: z.array(StatsSchema) },
  getEngineStats: { params: Empty, result: EngineStatsSchema },
  getEncoders: { params: Empty, result: EncodersSchema },
  getObsWebSocket: { params: Empty, result: ObsWebSocketStatusSchema },
  /** The password tools connect with (created on first use); the Settings dialog shows it on request. */
  getObsWebSocketPassword: { params: Empty, result: Password },
  /** A new random password: connected tools are disconnected and need the new one. */
  regenerateObsWebSocketPassword: { params: Empty, result: Password },
  disconnectObsWebSocketClient: { params: ById, result: z.null() },
} satisfies Record<ApiMethod, { params: z.ZodType; result: z.ZodType }>;

type Contract = typeof apiContract;
export type ApiParams<M extends ApiMethod> = z.input<Contract[M]['params']>;
export type ApiResult<M extends ApiMethod> = z.output<Contract[M]['result']>;

/** What a client calls: one async function per method. */
export type StudioApi = {
  [M in ApiMethod]: undefined extends ApiParams<M>
    ? (params?: ApiParams<M>) => Promise<ApiResult<M>>
    : (params: ApiParams<M>) => Promise<ApiResult<M>>;
};

/** What the engine implements: parameters arrive already validated. */
export type StudioApiImpl = {
  [M in ApiMethod]: (params: z.output<Contract[M]['params']>) => Promise<ApiResult<M>> | ApiResult<M>;
};

export interface ApiEvents {
  state: StudioState;
  stats: OutputStats[];
}
export type ApiEventPayload<E extends ApiEvent> = ApiEvents[E];

/** Listener signatures of the engine's events (what the Studio emits). */
export type ApiEventListeners = { [E in keyof ApiEvents]: (data: ApiEvents[E]) => void };

/** Anything that emits the API events (the Studio); transports subscribe to it. */
export interface ApiEventSource {
  on<K extends keyof ApiEventListeners>(event: K, fn: ApiEventListeners[K]): () => void;
}
