// Hand-written misbehaving servers for the bad-input tests: each listens on 127.0.0.1, counts
// the connections it accepts (connection attempts) and misbehaves in one way:
//   'garbage' — answers with bytes that are not the protocol (RTMP: an S0 of version 0x55 and
//               random bytes, where the RTMP specification §5.2.2 has version 3; HTTP: a first
//               line that is no status line, RFC 9112 §4);
//   'close'   — reads what the client sends first, then closes (RTMP: mid-handshake, after C0+C1;
//               HTTP: after the request head, without a response);
//   'hang'    — accepts and never answers (the socket stays open).
import { createServer, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';

export type Misbehaviour = 'garbage' | 'close' | 'hang';

export interface BadServer {
  readonly port: number;
  readonly kind: Misbehaviour;
  /** Connections accepted so far. */
  readonly accepts: number;
  close(): Promise<void>;
}

function listen(onSocket: (s: Socket) => void): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    onSocket(s);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve({ server, port: a && typeof a === 'object' ? a.port : 0, sockets });
    });
  });
}

async function start(kind: Misbehaviour, behave: (s: Socket, first: Buffer) => void, firstBytes: number | 'head'): Promise<BadServer> {
  let accepts = 0;
  const { server, port, sockets } = await listen((s) => {
    accepts++;
    let got = Buffer.alloc(0);
    const onData = (b: Buffer): void => {
      got = Buffer.concat([got, b]);
      const enough = firstBytes === 'head' ? got.includes('\r\n\r\n') : got.length >= firstBytes;
      if (!enough) return;
      s.off('data', onData);
      behave(s, got);
    };
    s.on('data', onData);
  });
  return {
    port,
    kind,
    get accepts() {
      return accepts;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** An "RTMP server" that misbehaves after the client's C0+C1 (1 + 1536 bytes). */
export function startBadRtmpServer(kind: Misbehaviour): Promise<BadServer> {
  return start(
    kind,
    (s) => {
      if (kind === 'garbage') s.write(Buffer.concat([Buffer.from([0x55]), randomBytes(3072)]));
      else if (kind === 'close') s.destroy();
      // 'hang': nothing, ever
    },
    1537,
  );
}

/** An "HTTP (WHIP) server" that misbehaves after the request head. */
export function startBadHttpServer(kind: Misbehaviour): Promise<BadServer> {
  return start(
    kind,
    (s) => {
      if (kind === 'garbage') s.end(Buffer.concat([Buffer.from('\x16\x03\x01 NOT HTTP AT ALL\r\n'), randomBytes(512)]));
      else if (kind === 'close') s.destroy();
    },
    'head',
  );
}
