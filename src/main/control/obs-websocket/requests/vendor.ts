// The 'tandem' vendor: what OBS has no request for, reached through CallVendorRequest
// (protocol.md "CallVendorRequest"; vendor events go out as VendorEvent, see ../events.ts).
//
//   ListDestinations                                 → { destinations: Destination[] }
//   StartDestination  { destinationId | destinationName } → {}   (goLive on that one)
//   StopDestination   { destinationId | destinationName } → {}   (stopLive on that one)
//   GetDestinationStats { destinationId | destinationName ? } → { stats: OutputStats[] }
//
// Destinations are the engine's public view: the key or token is masked (secretMasked) and stats
// URLs are redacted. Nothing here can read a secret.
import type { Destination } from '../../../../shared/api';
import { RequestError, type Fields } from '../fields';
import { Status } from '../protocol';
import { asJson, type RequestTable } from './table';

export const VENDOR_NAME = 'tandem';

const RUNNING: ReadonlySet<Destination['state']> = new Set(['connecting', 'live', 'reconnecting']);

function findDestination(list: Destination[], f: Fields): Destination {
  const { key, value } = f.oneOf('destinationName', 'destinationId');
  const d = key === 'destinationId' ? list.find((x) => x.id === value) : list.find((x) => x.name === value);
  if (!d) throw new RequestError(Status.ResourceNotFound, `No destination was found by that ${key === 'destinationId' ? 'id' : 'name'}.`);
  return d;
}

export const tandemVendor: RequestTable = {
  ListDestinations: async (_f, { engine }) => ({ destinations: (await engine.listDestinations({})).map(asJson) }),

  StartDestination: async (f, { engine }) => {
    const d = findDestination(await engine.listDestinations({}), f);
    if (RUNNING.has(d.state)) throw new RequestError(Status.OutputRunning, `'${d.name}' is ${d.state}.`);
    await engine.goLive({ ids: [d.id] });
    return {};
  },

  StopDestination: async (f, { engine }) => {
    const d = findDestination(await engine.listDestinations({}), f);
    if (!RUNNING.has(d.state)) throw new RequestError(Status.OutputNotRunning, `'${d.name}' is ${d.state}.`);
    await engine.stopLive({ ids: [d.id] });
    return {};
  },

  GetDestinationStats: async (f, { engine }) => {
    const list = await engine.listDestinations({});
    const only = f.has('destinationId') || f.has('destinationName') ? findDestination(list, f).id : undefined;
    const ids = new Set(list.map((d) => d.id));
    const stats = (await engine.getStats({})).filter((s) => ids.has(s.id) && (only === undefined || s.id === only));
    return { stats: stats.map(asJson) };
  },
};
