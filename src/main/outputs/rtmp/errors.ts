// Socket and TLS failures → the error taxonomy (src/shared/errors.ts), with the destination
// named (redacted) and never the key. Pure: node error codes in, ConnectError out.
import { ConnectError, TandemError } from '../../../shared/errors';

const CERT_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_UNTRUSTED', 'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE', 'ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH', 'INVALID_CA', 'CERT_REVOKED',
]);

/** Map a socket, DNS or TLS error to a ConnectError for `target` (already redacted). */
export function mapSocketError(err: unknown, target: string, phase: 'connect' | 'stream'): TandemError {
  if (err instanceof TandemError) return err;
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  const detail = err instanceof Error ? err.message : String(err);
  const opts: { target: string; cause: unknown; status?: string } = { target, cause: err };
  if (code) opts.status = code;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'EAI_FAIL') {
    return new ConnectError('dns-failed', `${target}: the server name could not be resolved (DNS: ${code})`, opts);
  }
  if (code === 'ECONNREFUSED') return new ConnectError('connection-refused', `${target}: connection refused (is the server running, and is the port right?)`, opts);
  if (code === 'ETIMEDOUT' || code === 'ETIMEOUT') return new ConnectError('connection-timeout', `${target}: timed out`, opts);
  if (CERT_CODES.has(code)) {
    return new ConnectError('tls-certificate', `${target}: the server's TLS certificate is not trusted (${code}); for a self-signed lab server, turn off certificate verification for this destination`, opts);
  }
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code === 'EPROTO' || /SSL|TLS/i.test(detail)) {
    return new ConnectError('tls-failed', `${target}: the TLS handshake failed (${code || 'TLS error'}): is this an RTMPS server?`, opts);
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL') {
    return new ConnectError('connection-refused', `${target}: the server is unreachable (${code})`, opts);
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED') {
    return new ConnectError('connection-closed', phase === 'stream' ? `${target}: disconnected mid-stream (${code})` : `${target}: the server closed the connection (${code})`, opts);
  }
  return new ConnectError('connection-closed', `${target}: connection failed${code ? ` (${code})` : ''}`, opts);
}
