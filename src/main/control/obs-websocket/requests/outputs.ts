// Stream and record outputs (protocol.md "Stream" and "Record" requests). OBS has one stream
// output; Tandem has several destinations. "The stream" here is every enabled destination:
// StartStream is goLive() and StopStream is stopLive(), and its state is the destinations' taken
// together (streamState below): live if any is live, else reconnecting, starting, stopping.
import type { StudioState } from '../../../../shared/api';
import type { OutputStats } from '../../../../shared/stats';
import { RequestError } from '../fields';
import { Status, timecode, type ObsOutputState } from '../protocol';
import type { RequestTable } from './table';

export function streamState(s: StudioState): ObsOutputState {
  const states = new Set(s.destinations.map((d) => d.state));
  if (states.has('live')) return 'OBS_WEBSOCKET_OUTPUT_STARTED';
  if (states.has('reconnecting')) return 'OBS_WEBSOCKET_OUTPUT_RECONNECTING';
  if (states.has('connecting')) return 'OBS_WEBSOCKET_OUTPUT_STARTING';
  if (states.has('stopping')) return 'OBS_WEBSOCKET_OUTPUT_STOPPING';
  return 'OBS_WEBSOCKET_OUTPUT_STOPPED';
}

/** Stats of the destinations (the recorder's are the record output's). */
const destinationStats = (all: OutputStats[]): OutputStats[] => all.filter((o) => o.protocol !== 'record');

export const outputRequests: RequestTable = {
  GetStreamStatus: async (_f, { engine }) => {
    const state = engine.getState();
    const agg = streamState(state);
    const stats = destinationStats(await engine.getStats({}));
    const duration = state.liveSince === null ? 0 : Date.now() - state.liveSince;
    return {
      outputActive: agg === 'OBS_WEBSOCKET_OUTPUT_STARTED' || agg === 'OBS_WEBSOCKET_OUTPUT_RECONNECTING',
      outputReconnecting: agg === 'OBS_WEBSOCKET_OUTPUT_RECONNECTING',
      outputTimecode: timecode(duration),
      outputDuration: duration,
      // Per destination these differ; the stream's figures are: bytes summed, the worst
      // congestion, and the frames of the destination that sent or dropped the most.
      outputCongestion: Math.max(0, ...stats.map((o) => o.congestion)),
      outputBytes: stats.reduce((n, o) => n + o.bytesSent, 0),
      outputSkippedFrames: Math.max(0, ...stats.map((o) => o.framesDropped)),
      outputTotalFrames: Math.max(0, ...stats.map((o) => o.framesSent)),
    };
  },

  StartStream: async (_f, { engine }) => {
    const state = engine.getState();
    if (state.live) throw new RequestError(Status.OutputRunning);
    if (!state.destinations.some((d) => d.enabled)) throw new RequestError(Status.OutputDisabled, 'There is no enabled destination to go live on.');
    await engine.goLive({});
    return undefined;
  },

  StopStream: async (_f, { engine }) => {
    if (!engine.getState().live) throw new RequestError(Status.OutputNotRunning);
    await engine.stopLive({});
    return undefined;
  },

  ToggleStream: async (_f, { engine }) => {
    const state = engine.getState();
    if (state.live) {
      await engine.stopLive({});
      return { outputActive: false };
    }
    if (!state.destinations.some((d) => d.enabled)) throw new RequestError(Status.OutputDisabled, 'There is no enabled destination to go live on.');
    await engine.goLive({});
    return { outputActive: true };
  },

  GetRecordStatus: async (_f, { engine }) => {
    const rec = engine.getState().recording;
    const stats = (await engine.getStats({})).find((o) => o.protocol === 'record');
    const duration = rec.active && rec.startedAt !== undefined ? Date.now() - rec.startedAt : 0;
    return {
      outputActive: rec.active,
      outputPaused: false,
      outputTimecode: timecode(duration),
      outputDuration: duration,
      outputBytes: rec.active ? (stats?.bytesSent ?? 0) : 0,
    };
  },

  StartRecord: async (_f, { engine }) => {
    if (engine.getState().recording.active) throw new RequestError(Status.OutputRunning);
    await engine.startRecording({});
    return undefined;
  },

  StopRecord: async (_f, { engine }) => {
    if (!engine.getState().recording.active) throw new RequestError(Status.OutputNotRunning);
    const rec = await engine.stopRecording({});
    return { outputPath: rec.path ?? null };
  },

  ToggleRecord: async (_f, { engine }) => {
    if (engine.getState().recording.active) {
      await engine.stopRecording({});
      return { outputActive: false };
    }
    await engine.startRecording({});
    return { outputActive: true };
  },
};
