// Link header parsing (RFC 8288 §3) for WHIP ICE servers and extensions (RFC 9725 §4.6, §4.9).
import { describe, expect, it } from 'vitest';
import { iceServersFromLinks, mergeIceServers, parseLinkHeader, whipExtensionsFromLinks } from '../../../../src/main/outputs/whip/link';

describe('parseLinkHeader', () => {
  it('splits joined headers on top-level commas only', () => {
    const links = parseLinkHeader(
      '<turn:t.example?transport=tcp>; rel="ice-server"; username="a,b"; credential="c;d", <stun:s.example:3478>;rel=ice-server',
    );
    expect(links.map((l) => l.uri)).toEqual(['turn:t.example?transport=tcp', 'stun:s.example:3478']);
    expect(links[0]!.params.get('username')).toBe('a,b');
    expect(links[0]!.params.get('credential')).toBe('c;d');
    expect(links[1]!.params.get('rel')).toBe('ice-server');
  });

  it('handles escapes, upper-case names, empty input and garbage without throwing', () => {
    expect(parseLinkHeader('<stun:x>; REL="ice-server"; username="a\\"b"')[0]!.params.get('username')).toBe('a"b');
    expect(parseLinkHeader(null)).toEqual([]);
    expect(parseLinkHeader('')).toEqual([]);
    expect(parseLinkHeader('garbage, <stun:ok>; rel="ice-server"').map((l) => l.uri)).toEqual(['stun:ok']);
    expect(parseLinkHeader('<unterminated')).toEqual([]);
    expect(() => parseLinkHeader('<a>; x="unterminated')).not.toThrow();
  });
});

describe('ICE servers and extensions', () => {
  const links = parseLinkHeader(
    [
      '<stun:stun.example.net>; rel="ice-server"',
      '<turns:turn.example.net:5349?transport=tcp>; rel="ice-server"; username="u"; credential="p"; credential-type="password"',
      '<https://example.net/x>; rel="urn:ietf:params:whip:ext:example:unknown"',
      '<https://example.net/next>; rel="next"',
      '<http://not-ice>; rel="ice-server"',
    ].join(', '),
  );

  it('takes STUN and TURN (with credentials), nothing else', () => {
    expect(iceServersFromLinks(links)).toEqual([
      { urls: 'stun:stun.example.net' },
      { urls: 'turns:turn.example.net:5349?transport=tcp', username: 'u', credential: 'p' },
    ]);
  });

  it('lists whip extensions for lookup; unknown ones are simply unused', () => {
    expect([...whipExtensionsFromLinks(links)]).toEqual([['urn:ietf:params:whip:ext:example:unknown', 'https://example.net/x']]);
  });

  it('a locally configured TURN overrides the server’s TURN; STUN is merged', () => {
    const server = iceServersFromLinks(links);
    expect(mergeIceServers(server, [{ urls: 'turn:mine.example', username: 'me', credential: 'pw' }])).toEqual([
      { urls: 'turn:mine.example', username: 'me', credential: 'pw' },
      { urls: 'stun:stun.example.net' },
    ]);
    expect(mergeIceServers(server, [])).toEqual(server);
    expect(mergeIceServers(server, [{ urls: 'stun:stun.example.net' }])).toEqual(server);
  });
});
