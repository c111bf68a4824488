// obs-websocket authentication (protocol.md "Creating an authentication string"):
//   secret = base64(sha256(password + salt)), authentication = base64(sha256(secret + challenge)).
// The salt is fixed for the server's lifetime and the challenge is new per connection. Only the
// secret is kept: the password itself is dropped as soon as the server has derived it.
// Plus the failed-attempt throttle: after FREE_FAILURES wrong answers in a row from one address,
// each further connection from it waits (doubling, capped) before it gets its Hello.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const sha256b64 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('base64');

export function newSalt(): string {
  return randomBytes(32).toString('base64');
}

export const newChallenge = newSalt;

export function deriveSecret(password: string, salt: string): string {
  return sha256b64(password + salt);
}

/** The string a client must send for this secret and challenge. */
export function expectedAuthentication(secret: string, challenge: string): string {
  return sha256b64(secret + challenge);
}

/** Constant-time comparison of the client's answer (hashing both sides equalises the lengths). */
export function checkAuthentication(secret: string, challenge: string, given: string): boolean {
  const want = createHash('sha256').update(expectedAuthentication(secret, challenge)).digest();
  const got = createHash('sha256').update(given).digest();
  return timingSafeEqual(want, got);
}

export interface ThrottleOptions {
  /** Wrong answers in a row that cost nothing (default 10). */
  freeFailures?: number;
  /** Wait after the first failure past the free ones, ms (default 1000); doubles per failure. */
  baseDelayMs?: number;
  /** Longest wait, ms (default 30 s). */
  maxDelayMs?: number;
  /** An address with no failure for this long starts over (default 15 min). */
  forgetAfterMs?: number;
  now?: () => number;
}

interface Entry {
  failures: number;
  lastFailure: number;
  /** The earliest time the next Hello may go to this address (reservations queue up). */
  nextSlot: number;
}

/**
 * Per-address failure counts. `reserve()` gives the delay before a new connection's Hello; the
 * slots are handed out one per delay, so opening many connections at once does not get around it.
 */
export class AuthThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly free: number;
  private readonly base: number;
  private readonly max: number;
  private readonly forget: number;
  private readonly now: () => number;

  constructor(opts: ThrottleOptions = {}) {
    this.free = opts.freeFailures ?? 10;
    this.base = opts.baseDelayMs ?? 1000;
    this.max = opts.maxDelayMs ?? 30_000;
    this.forget = opts.forgetAfterMs ?? 15 * 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** How long a new connection from `address` waits before its Hello, ms. */
  reserve(address: string): number {
    const e = this.live(address);
    if (!e || e.failures < this.free) return 0;
    const now = this.now();
    const slot = Math.max(now, e.nextSlot);
    e.nextSlot = slot + this.delayFor(e.failures);
    return slot - now + this.delayFor(e.failures);
  }

  failed(address: string): void {
    const now = this.now();
    const e = this.live(address) ?? { failures: 0, lastFailure: now, nextSlot: 0 };
    e.failures++;
    e.lastFailure = now;
    this.entries.set(address, e);
    if (this.entries.size > 10_000) this.prune();
  }

  succeeded(address: string): void {
    this.entries.delete(address);
  }

  failures(address: string): number {
    return this.live(address)?.failures ?? 0;
  }

  private delayFor(failures: number): number {
    const extra = failures - this.free;
    return Math.min(this.max, this.base * 2 ** Math.min(extra, 20));
  }

  private live(address: string): Entry | undefined {
    const e = this.entries.get(address);
    if (e && this.now() - e.lastFailure > this.forget) {
      this.entries.delete(address);
      return undefined;
    }
    return e;
  }

  private prune(): void {
    for (const addr of [...this.entries.keys()]) this.live(addr);
  }
}
