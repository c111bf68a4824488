/**
 * RTMPS in front of an RTMP server: stunnel4 (foreground) with a fresh self-signed certificate.
 *
 *   startStunnel(opts: { targetPort: number; timeoutMs?: number }): Promise<Stunnel>
 *
 *   interface Stunnel {
 *     tlsPort: number;       // TLS on 127.0.0.1:tlsPort, forwarded in clear to 127.0.0.1:targetPort
 *     certPath: string;      // PEM certificate (trust it: tls `ca: readFileSync(certPath)`)
 *     keyPath: string;
 *     url(app?, key?): string; // rtmps://127.0.0.1:tlsPort/app/key (app default 'live')
 *     stop(): Promise<void>;
 *   }
 *   makeSelfSignedCert(dir): { certPath, keyPath }   // openssl req -x509, P-256 key, CN=localhost,
 *                                                     // SAN DNS:localhost, IP:127.0.0.1, 1 day
 *
 * The certificate is self-signed, so clients must either trust `certPath` (`ca`) or disable
 * verification; the hostname to verify is `localhost` or `127.0.0.1` (both in the SAN).
 * Ready = the TLS port accepts TCP connections (stunnel opens the backend per client only).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitForTcp, LOOPBACK } from './ports';
import { makeTempDir, removeTempDir, spawnPeer, withStartupGuard } from './proc';

export const STUNNEL_BIN = process.env['TANDEM_PEERS_STUNNEL'] ?? 'stunnel4';

export interface StunnelOptions {
  targetPort: number;
  timeoutMs?: number;
}

export interface Stunnel {
  readonly tlsPort: number;
  readonly certPath: string;
  readonly keyPath: string;
  url(app?: string, key?: string): string;
  stop(): Promise<void>;
}

export function makeSelfSignedCert(dir: string): { certPath: string; keyPath: string } {
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-sha256', '-days', '1',
      '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout', keyPath, '-out', certPath,
    ],
    { stdio: 'pipe' },
  );
  return { certPath, keyPath };
}

export async function startStunnel(opts: StunnelOptions): Promise<Stunnel> {
  const dir = makeTempDir('stunnel');
  const { certPath, keyPath } = makeSelfSignedCert(dir);
  const tlsPort = await freePort();
  const confPath = join(dir, 'stunnel.conf');
  writeFileSync(
    confPath,
    [
      'foreground = yes',
      'pid =',
      'debug = 5',
      '',
      '[rtmps]',
      `accept = ${LOOPBACK}:${tlsPort}`,
      `connect = ${LOOPBACK}:${opts.targetPort}`,
      `cert = ${certPath}`,
      `key = ${keyPath}`,
      '',
    ].join('\n'),
  );
  const proc = spawnPeer('stunnel', STUNNEL_BIN, [confPath], { cwd: dir });
  await withStartupGuard(`stunnel (${LOOPBACK}:${tlsPort} -> ${opts.targetPort})`, () => [proc], () =>
    waitForTcp(tlsPort, { timeoutMs: opts.timeoutMs ?? 10_000, isAlive: () => proc.isAlive() }),
  );
  return {
    tlsPort,
    certPath,
    keyPath,
    url: (app = 'live', key = 'test') => `rtmps://${LOOPBACK}:${tlsPort}/${app}/${key}`,
    stop: async () => {
      await proc.stop({ timeoutMs: 3000 });
      removeTempDir(dir);
    },
  };
}
