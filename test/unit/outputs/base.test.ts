// The output base's state machine (src/main/outputs/base.ts, docs/ARCHITECTURE.md "Outputs"),
// driven through a small subclass whose connect() outcomes the test scripts, with fake timers
// for the reconnect waits (2 s ×1.5; jitter off).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OutputBase, type CloseReason } from '../../../src/main/outputs/base';
import type { StateDetail } from '../../../src/main/outputs/output';
import type { ReconnectOptions } from '../../../src/main/outputs/reconnect';
import { AuthError, ConnectError, TandemError } from '../../../src/shared/errors';
import type { OutputState } from '../../../src/shared/stats';
import { H264, AAC, vid, aud } from '../../helpers/pipeline-fakes';

interface Conn {
  n: number;
  sent: string[];
  closed?: CloseReason;
}

/** What the next connect() does: succeed, fail with an error, or wait for the test (`pending`). */
type Step = { ok: true } | { fail: TandemError } | { pending: true; ignoresAbort?: boolean };

interface Pending {
  signal: AbortSignal;
  resolve: () => void;
  reject: (e: TandemError) => void;
}

class ScriptedOutput extends OutputBase<Conn> {
  readonly script: Step[] = [];
  connects = 0;
  readonly conns: Conn[] = [];
  readonly waiting: Pending[] = [];
  readonly closes: [number, CloseReason][] = [];
  recoverResult: boolean | Promise<boolean> | undefined;
  recoverCalls = 0;
  closeStopError: TandemError | undefined;
  protected override readonly recovers: boolean;

  constructor(o: { reconnect?: ReconnectOptions; recovers?: boolean } = {}) {
    super({ id: 'o', protocol: 'rtmp', target: 'rtmp://h/live/****', codecs: ['h264', 'aac'], reconnect: { jitter: 0, ...o.reconnect } });
    this.recovers = o.recovers ?? false;
  }

  protected connect(signal: AbortSignal): Promise<Conn> {
    this.connects++;
    const step = this.script.shift() ?? { ok: true };
    const conn = (): Conn => {
      const c: Conn = { n: this.connects, sent: [] };
      this.conns.push(c);
      return c;
    };
    if ('ok' in step) return Promise.resolve(conn());
    if ('fail' in step) return Promise.reject(step.fail);
    return new Promise<Conn>((resolve, reject) => {
      this.waiting.push({ signal, resolve: () => resolve(conn()), reject });
      // A connect that honours its signal, like the real ones (socket destroyed, fetch aborted).
      if (!step.ignoresAbort) signal.addEventListener('abort', () => reject(new ConnectError('connection-closed', 'aborted')));
    });
  }

  protected flush(c: Conn): void {
    for (let p = this.queue.shift(); p; p = this.queue.shift()) c.sent.push(`${p.track}${p.track === 'video' && p.keyframe ? '*' : ''}`);
  }

  protected close(c: Conn, reason: CloseReason): Promise<void> {
    c.closed = reason;
    this.closes.push([c.n, reason]);
    if (reason === 'stop' && this.closeStopError) return Promise.reject(this.closeStopError);
    return Promise.resolve();
  }

  protected override recover(): Promise<boolean> {
    this.recoverCalls++;
    return Promise.resolve(this.recoverResult ?? false);
  }

  drop(c: Conn, err: unknown = new ConnectError('connection-closed', 'dropped')): void {
    this.dropped(c, err);
  }

  get current(): Conn | undefined {
    return this.connection;
  }
}

const refused = (): ConnectError => new ConnectError('connection-refused', 'refused');

function watch(o: ScriptedOutput): { states: [OutputState, StateDetail][]; errors: TandemError[]; names: () => OutputState[] } {
  const states: [OutputState, StateDetail][] = [];
  const errors: TandemError[] = [];
  o.on('state', (s, d) => states.push([s, d]));
  o.on('error', (e) => errors.push(e));
  return { states, errors, names: () => states.map(([s]) => s) };
}

/** Let promise callbacks run (fake timers do not advance them). */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

const CONFIGS = [H264, AAC];

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('OutputBase: first connect', () => {
  it('idle → connecting → live; start() resolves; no error', async () => {
    const o = new ScriptedOutput();
    const w = watch(o);
    expect(o.state).toBe('idle');
    await o.start(CONFIGS);
    expect(w.names()).toEqual(['connecting', 'live']);
    expect(o.state).toBe('live');
    expect(w.errors).toEqual([]);
    expect(o.stats()).toMatchObject({ state: 'live', reconnects: 0 });
  });

  it('start() twice is an invalid-state error', async () => {
    const o = new ScriptedOutput();
    await o.start(CONFIGS);
    await expect(o.start(CONFIGS)).rejects.toMatchObject({ code: 'invalid-state' });
  });

  it('a retryable first failure is retried with the backoff, and start() resolves once live', async () => {
    const o = new ScriptedOutput();
    o.script.push({ fail: refused() }, { fail: refused() });
    const w = watch(o);
    let resolved = false;
    void o.start(CONFIGS).then(() => (resolved = true));
    await settle();
    expect(w.states.at(-1)).toEqual(['reconnecting', { attempt: 1, delayMs: 2000, error: expect.objectContaining({ code: 'connection-refused' }) }]);
    expect(o.stats().reconnectInSec).toBe(2);
    await vi.advanceTimersByTimeAsync(1999);
    expect(o.connects).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(o.connects).toBe(2);
    expect(w.states.at(-1)).toEqual(['reconnecting', { attempt: 2, delayMs: 3000, error: expect.anything() }]);
    await vi.advanceTimersByTimeAsync(3000);
    expect(o.connects).toBe(3);
    expect(o.state).toBe('live');
    expect(resolved).toBe(true);
    expect(w.errors).toEqual([]);
    // a first connect that needed retries is not a reconnect
    expect(o.stats().reconnects).toBe(0);
  });

  it.each([
    ['auth-rejected', new AuthError('refused: bad key')],
    ['stream-busy', new AuthError('busy', { code: 'stream-busy' })],
    ['invalid-url', new TandemError('invalid-url', 'bad url')],
    ['tls-certificate', new ConnectError('tls-certificate', 'untrusted')],
    ['encoder-failed', new TandemError('encoder-failed', 'x264 died')],
  ])('a final first failure (%s) fails at once: start() rejects, one error, no retry', async (code, err) => {
    const o = new ScriptedOutput();
    o.script.push({ fail: err });
    const w = watch(o);
    await expect(o.start(CONFIGS)).rejects.toMatchObject({ code });
    expect(w.names()).toEqual(['connecting', 'failed']);
    expect(w.errors).toHaveLength(1);
    expect(w.errors[0]).toBe(err);
    expect(o.stats().lastError?.code).toBe(code);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(o.connects).toBe(1);
  });

  it('a non-Tandem failure is normalised to a retryable error naming the destination', async () => {
    const o = new ScriptedOutput();
    o.script.push({ fail: new Error('boom') as unknown as TandemError });
    const w = watch(o);
    void o.start(CONFIGS);
    await settle();
    const [state, detail] = w.states.at(-1)!;
    expect(state).toBe('reconnecting');
    expect(detail.error?.code).toBe('internal');
    expect(detail.error?.message).toBe('rtmp://h/live/****: boom');
  });
});

describe('OutputBase: drops and reconnects', () => {
  it('live → drop → reconnecting (attempt 1, 2 s) → live; the old connection is closed as a drop', async () => {
    const o = new ScriptedOutput();
    const w = watch(o);
    await o.start(CONFIGS);
    const first = o.current!;
    o.drop(first);
    await settle();
    expect(o.state).toBe('reconnecting');
    expect(w.states.at(-1)?.[1]).toMatchObject({ attempt: 1, delayMs: 2000 });
    expect(o.closes).toEqual([[1, 'drop']]);
    expect(o.current).toBeUndefined();
    await vi.advanceTimersByTimeAsync(2000);
    expect(o.state).toBe('live');
    expect(o.current).not.toBe(first);
    expect(o.stats().reconnects).toBe(1);
    expect(w.names()).toEqual(['connecting', 'live', 'reconnecting', 'live']);
    expect(w.errors).toEqual([]);
  });

  it('the attempt counter restarts after each success', async () => {
    const o = new ScriptedOutput();
    const w = watch(o);
    await o.start(CONFIGS);
    o.script.push({ fail: refused() });
    o.drop(o.current!);
    await settle();
    await vi.advanceTimersByTimeAsync(2000); // attempt 1 fails → attempt 2 in 3 s
    expect(w.states.at(-1)?.[1]).toMatchObject({ attempt: 2, delayMs: 3000 });
    await vi.advanceTimersByTimeAsync(3000);
    expect(o.state).toBe('live');
    o.drop(o.current!);
    await settle();
    expect(w.states.at(-1)?.[1]).toMatchObject({ attempt: 1, delayMs: 2000 });
  });

  it('the backoff grows ×1.5 and gives up after maxRetries with one error', async () => {
    const o = new ScriptedOutput({ reconnect: { maxRetries: 4 } });
    const w = watch(o);
    await o.start(CONFIGS);
    for (let i = 0; i < 10; i++) o.script.push({ fail: refused() });
    o.drop(o.current!);
    await settle();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const d = w.states.at(-1)![1].delayMs!;
      delays.push(d);
      await vi.advanceTimersByTimeAsync(d);
    }
    expect(delays).toEqual([2000, 3000, 4500, 6750]);
    expect(o.state).toBe('failed');
    expect(w.errors).toHaveLength(1);
    expect(w.errors[0]?.code).toBe('connection-refused');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(o.connects).toBe(5); // the first connect and 4 retries
  });

  it('a final error on a reconnect fails without further retries', async () => {
    const o = new ScriptedOutput();
    const w = watch(o);
    await o.start(CONFIGS);
    o.script.push({ fail: new AuthError('key revoked') });
    o.drop(o.current!);
    await settle();
    await vi.advanceTimersByTimeAsync(2000);
    expect(o.state).toBe('failed');
    expect(w.errors.map((e) => e.code)).toEqual(['auth-rejected']);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(o.connects).toBe(2);
  });

  it('a drop reported with a final error code (e.g. the key was revoked mid-stream) fails at once', async () => {
    const o = new ScriptedOutput();
    const w = watch(o);
    await o.start(CONFIGS);
    o.drop(o.current!, new AuthError('kicked: key revoked'));
    await settle();
    expect(o.state).toBe('failed');
    expect(w.errors).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(o.connects).toBe(1);
  });

  it('a drop during connect: the attempt fails as a drop and is retried', async () => {
    const o = new ScriptedOutput();
    const w = watch(o);
    await o.start(CONFIGS);
    o.script.push({ pending: true });
    o.drop(o.current!);
    await settle();
    await vi.advanceTimersByTimeAsync(2000);
    expect(o.waiting).toHaveLength(1);
    // the server closes the connection mid-handshake
    o.waiting[0]!.reject(new ConnectError('connection-closed', 'closed during the handshake'));
    await settle();
    expect(o.state).toBe('reconnecting');
    expect(w.states.at(-1)?.[1]).toMatchObject({ attempt: 2, delayMs: 3000, error: expect.objectContaining({ code: 'connection-closed' }) });
    await vi.advanceTimersByTimeAsync(3000);
    expect(o.state).toBe('live');
    expect(w.errors).toEqual([]);
  });

  it('a late drop of an old connection is ignored', async () => {
    const o = new ScriptedOutput();
    const w = watch(o);
    await o.start(CONFIGS);
    const old = o.current!;
    o.drop(old);
    await settle();
    await vi.advanceTimersByTimeAsync(2000);
    expect(o.state).toBe('live');
    const n = w.states.length;
    o.drop(old, new ConnectError('connection-closed', 'late close event of the old socket'));
    await settle();
    expect(o.state).toBe('live');
    expect(w.states.length).toBe(n);
  });

  it('recover(): a connection revived in place goes live again without a new connect', async () => {
    const o = new ScriptedOutput({ recovers: true });
    o.recoverResult = true;
    const w = watch(o);
    await o.start(CONFIGS);
    const c = o.current!;
    o.drop(c);
    await settle();
    expect(o.recoverCalls).toBe(1);
    expect(o.current).toBe(c);
    expect(o.connects).toBe(1);
    expect(w.names()).toEqual(['connecting', 'live', 'reconnecting', 'live']);
    expect(w.states[2]?.[1]).toMatchObject({ attempt: 1, delayMs: 0 });
    expect(o.stats().reconnects).toBe(1);
  });

  it('stop during recover(): stopped, and a late successful recovery does not bring it back', async () => {
    const o = new ScriptedOutput({ recovers: true });
    let finish: (ok: boolean) => void = () => undefined;
    o.recoverResult = new Promise<boolean>((r) => (finish = r));
    const w = watch(o);
    await o.start(CONFIGS);
    o.drop(o.current!);
    await settle();
    expect(o.state).toBe('reconnecting');
    await o.stop();
    finish(true);
    await settle();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(o.state).toBe('stopped');
    expect(w.names().slice(-2)).toEqual(['stopping', 'stopped']);
    expect(o.connects).toBe(1);
    expect(o.closes).toEqual([[1, 'stop']]);
  });

  it('recover() failing closes the connection and reconnects with the backoff', async () => {
    const o = new ScriptedOutput({ recovers: true });
    o.recoverResult = false;
    const w = watch(o);
    await o.start(CONFIGS);
    o.drop(o.current!);
    await settle();
    expect(o.closes).toEqual([[1, 'drop']]);
    expect(w.states.at(-1)?.[1]).toMatchObject({ attempt: 1, delayMs: 2000 });
    await vi.advanceTimersByTimeAsync(2000);
    expect(o.state).toBe('live');
    expect(o.connects).toBe(2);
  });
});

describe('OutputBase: retryNow', () => {
  it('while waiting: connects at once and returns true; otherwise false', async () => {
    const o = new ScriptedOutput();
    expect(o.retryNow()).toBe(false); // idle
    o.script.push({ fail: refused() }, { pending: true });
    void o.start(CONFIGS);
    await settle();
    expect(o.state).toBe('reconnecting');
    expect(o.retryNow()).toBe(true);
    expect(o.connects).toBe(2);
    expect(o.retryNow()).toBe(false); // an attempt is running: nothing to skip
    o.waiting[0]!.resolve();
    await settle();
    expect(o.state).toBe('live');
    expect(o.retryNow()).toBe(false);
    // the skipped wait does not fire later
    await vi.advanceTimersByTimeAsync(10_000);
    expect(o.connects).toBe(2);
  });
});

describe('OutputBase: stop', () => {
  it('while live: closes with a goodbye (stop) and ends stopped; idempotent', async () => {
    const o = new ScriptedOutput();
    const w = watch(o);
    await o.start(CONFIGS);
    const p1 = o.stop();
    const p2 = o.stop();
    expect(p1).toBe(p2);
    await p1;
    expect(o.closes).toEqual([[1, 'stop']]);
    expect(w.names()).toEqual(['connecting', 'live', 'stopping', 'stopped']);
    expect(w.errors).toEqual([]);
  });

  it('during the backoff: no connect afterwards', async () => {
    const o = new ScriptedOutput();
    const w = watch(o);
    await o.start(CONFIGS);
    o.drop(o.current!);
    await settle();
    expect(o.state).toBe('reconnecting');
    await o.stop();
    expect(o.state).toBe('stopped');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(o.connects).toBe(1);
    expect(o.retryNow()).toBe(false);
    expect(w.errors).toEqual([]);
  });

  it('during the first backoff: start() rejects as stopped, without an error event', async () => {
    const o = new ScriptedOutput();
    o.script.push({ fail: refused() });
    const w = watch(o);
    const started = o.start(CONFIGS);
    await settle();
    await o.stop();
    await expect(started).rejects.toMatchObject({ code: 'connection-closed' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(o.connects).toBe(1);
    expect(w.errors).toEqual([]);
  });

  it('aborts a connect in progress: its signal fires, nothing goes live or retries', async () => {
    const o = new ScriptedOutput();
    o.script.push({ pending: true });
    const w = watch(o);
    const started = o.start(CONFIGS);
    await settle();
    const p = o.waiting[0]!;
    expect(p.signal.aborted).toBe(false);
    await o.stop();
    expect(p.signal.aborted).toBe(true);
    await expect(started).rejects.toMatchObject({ code: 'connection-closed' });
    await settle();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(o.connects).toBe(1);
    expect(w.names()).toEqual(['connecting', 'stopping', 'stopped']);
    expect(w.errors).toEqual([]);
  });

  it('a connect that succeeds after stop is closed at once and never goes live', async () => {
    const o = new ScriptedOutput();
    o.script.push({ pending: true, ignoresAbort: true });
    const w = watch(o);
    void o.start(CONFIGS).catch(() => undefined);
    await settle();
    const p = o.waiting[0]!;
    // a connect that ignores its signal and completes anyway
    const stopped = o.stop();
    p.resolve();
    await stopped;
    await settle();
    expect(w.names()).not.toContain('live');
    expect(o.state).toBe('stopped');
    expect(o.closes).toEqual([[1, 'stop']]);
  });

  it('a close that fails on stop (a file not finalised) ends failed with one error', async () => {
    const o = new ScriptedOutput();
    o.closeStopError = new TandemError('encoder-failed', 'recorder exited 1');
    const w = watch(o);
    await o.start(CONFIGS);
    await o.stop();
    expect(o.state).toBe('failed');
    expect(w.errors.map((e) => e.code)).toEqual(['encoder-failed']);
  });

  it('stop after a terminal failure keeps it failed and emits nothing more', async () => {
    const o = new ScriptedOutput();
    o.script.push({ fail: new AuthError('no') });
    const w = watch(o);
    await o.start(CONFIGS).catch(() => undefined);
    await o.stop();
    expect(o.state).toBe('failed');
    expect(w.errors).toHaveLength(1);
    expect(w.names()).toEqual(['connecting', 'failed']);
  });
});

describe('OutputBase: media while (re)connecting', () => {
  it('each connection starts at a keyframe; frames while not live are counted as missed', async () => {
    const o = new ScriptedOutput();
    await o.start(CONFIGS);
    const c1 = o.current!;
    o.write(aud(0));
    o.write(vid(1));
    o.write(vid(2, true));
    o.write(aud(3));
    o.write(vid(4));
    expect(c1.sent).toEqual(['video*', 'audio', 'video']);
    o.drop(c1);
    await settle();
    o.write(vid(5, true));
    o.write(vid(6));
    await vi.advanceTimersByTimeAsync(2000);
    const c2 = o.current!;
    o.write(vid(7));
    o.write(vid(8, true));
    expect(c2.sent).toEqual(['video*']);
    // 1 before the first keyframe, 2 while reconnecting, 1 waiting for the keyframe again
    expect(o.stats().framesDropped).toBe(4);
    expect(o.stats().framesSent).toBe(0); // the scripted flush does not report sent bytes
  });

  it('ignores codecs it does not carry', async () => {
    const o = new ScriptedOutput();
    await o.start(CONFIGS);
    o.write(vid(0, true));
    o.write(aud(1, 'opus'));
    expect(o.current!.sent).toEqual(['video*']);
  });
});
