/**
 * Typed access, inside a test, to the peers started by global-setup.ts.
 *
 *   sharedPeers(): SharedPeers
 *   interface SharedPeers {
 *     nginx: {
 *       rtmpPort, httpPort,
 *       url(key, app = 'live'): string            // rtmp://127.0.0.1:PORT/app/key
 *       denyApp: string                           // app that refuses publish ('closed')
 *       stat(): Promise<string>                   // /stat XML
 *       streamStat(key, app = 'live'): Promise<StreamStat | undefined>
 *     };
 *     whip: WhipAdminClient & { room: number; janusWsUrl: string };   // see janus.ts; its
 *                                       // recipientHost is the shared Janus' (root-side veth address)
 *   }
 *   uniqueKey(prefix = 'k'): string   // a stream key / endpoint id unique within this run
 *
 * Use a unique stream key / endpoint id per test: the servers are shared by the whole run.
 */
import { inject } from 'vitest';
import { fetchNginxStat, fetchStreamStat, type StreamStat } from './nginx';
import { whipAdminClient, type WhipAdminClient } from './janus';

export interface SharedPeers {
  nginx: {
    rtmpPort: number;
    httpPort: number;
    denyApp: string;
    url(key: string, app?: string): string;
    stat(): Promise<string>;
    streamStat(key: string, app?: string): Promise<StreamStat | undefined>;
  };
  whip: WhipAdminClient & { room: number; janusWsUrl: string };
}

export function sharedPeers(): SharedPeers {
  const rtmpPort = inject('nginxRtmpPort');
  const httpPort = inject('nginxHttpPort');
  const whipBaseUrl = inject('whipBaseUrl');
  if (rtmpPort === undefined) throw new Error('sharedPeers(): no peers provided: is test/peers/global-setup.ts in this project\'s globalSetup?');
  return {
    nginx: {
      rtmpPort,
      httpPort,
      denyApp: inject('nginxDenyApp'),
      url: (key, app = 'live') => `rtmp://127.0.0.1:${rtmpPort}/${app}/${key}`,
      stat: () => fetchNginxStat(httpPort),
      streamStat: (key, app = 'live') => fetchStreamStat(httpPort, app, key),
    },
    whip: {
      ...whipAdminClient(whipBaseUrl, { recipientHost: inject('whipRecipientHost') }),
      room: inject('whipRoom'),
      janusWsUrl: inject('janusWsUrl'),
    },
  };
}

let counter = 0;
export function uniqueKey(prefix = 'k'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}
