// General requests (protocol.md "General Requests"): GetVersion, GetStats, BroadcastCustomEvent,
// CallVendorRequest and Sleep.
import { statfs } from 'node:fs/promises';
import { homedir, release, type } from 'node:os';
import { Fields, RequestError } from '../fields';
import { ExecutionType, OBS_WEBSOCKET_VERSION, RPC_VERSION, Status, Sub, type JsonObject } from '../protocol';
import type { RequestTable } from './table';
import { IMAGE_FORMATS } from './sources';
import { tandemVendor, VENDOR_NAME } from './vendor';

const VENDORS: Readonly<Record<string, RequestTable>> = { [VENDOR_NAME]: tandemVendor };

function platformName(): string {
  if (process.platform === 'win32') return 'windows';
  if (process.platform === 'darwin') return 'macos';
  return process.platform;
}

const MB = 1024 * 1024;

async function freeMegabytes(folder: string): Promise<number | null> {
  try {
    const s = await statfs(folder || homedir());
    return (s.bavail * s.bsize) / MB;
  } catch {
    return null;
  }
}

export const generalRequests: RequestTable = {
  GetVersion: (_f, ctx) => ({
    // Not OBS: the engine's own version, so a client can tell what it talks to.
    obsVersion: ctx.engineVersion,
    obsWebSocketVersion: OBS_WEBSOCKET_VERSION,
    rpcVersion: RPC_VERSION,
    availableRequests: [...ctx.requestTypes],
    // GetSourceScreenshot's formats, when the engine has the program picture to give.
    supportedImageFormats: ctx.pictures ? Object.keys(IMAGE_FORMATS) : [],
    platform: platformName(),
    platformDescription: `${type()} ${release()}`,
  }),

  GetStats: async (_f, ctx) => {
    const state = ctx.engine.getState();
    const e = await ctx.engine.getEngineStats({});
    return {
      cpuUsage: e.cpuPercent,
      // The engine process only; the renderer (compositor) is another process.
      memoryUsage: process.memoryUsage().rss / MB,
      availableDiskSpace: await freeMegabytes(state.settings.recordFolder),
      // The pacer feeds the encoder at the output rate exactly (repeating late pictures).
      activeFps: e.encoder ? state.settings.fps : 0,
      averageFrameRenderTime: null,
      renderSkippedFrames: e.mediaIn.repeated,
      renderTotalFrames: e.mediaIn.videoFrames,
      outputSkippedFrames: e.mediaIn.videoDropped,
      outputTotalFrames: e.encoder?.videoFrames ?? 0,
      webSocketSessionIncomingMessages: ctx.session.incomingMessages,
      webSocketSessionOutgoingMessages: ctx.session.outgoingMessages,
    };
  },

  BroadcastCustomEvent: (f, ctx) => {
    const eventData = f.object('eventData');
    ctx.broadcast('CustomEvent', Sub.General, eventData as JsonObject);
    return undefined;
  },

  CallVendorRequest: async (f, ctx) => {
    const vendorName = f.string('vendorName');
    const requestType = f.string('requestType');
    const requestData = f.optObject('requestData') ?? {};
    const vendor = Object.hasOwn(VENDORS, vendorName) ? VENDORS[vendorName] : undefined;
    if (!vendor) throw new RequestError(Status.ResourceNotFound, 'No vendor was found by that name.');
    const handler = Object.hasOwn(vendor, requestType) ? vendor[requestType] : undefined;
    if (!handler) throw new RequestError(Status.ResourceNotFound, 'No request was found by that name.');
    const responseData = (await handler(new Fields(requestData), ctx)) ?? {};
    return { vendorName, requestType, responseData };
  },

  Sleep: async (f, ctx) => {
    if (ctx.executionType !== ExecutionType.SerialRealtime) {
      throw new RequestError(Status.UnsupportedRequestBatchExecutionType, 'Sleep is only available in SerialRealtime request batches.');
    }
    const ms = f.number('sleepMillis', { min: 0, max: 50_000 });
    await new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
    return undefined;
  },
};
