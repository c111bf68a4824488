// Media files kept by reference: paths become file:// URLs (RFC 8089), the engine's upload
// answers become a tandem-media: reference or a typed problem.
import { describe, expect, it } from 'vitest';
import { MediaFileError, fileUrlFromPath, parseSrc, uploadProblem } from '../../../src/renderer/src/api/media-ref';
import { resolveMediaSrc, setMediaBase } from '../../../src/renderer/src/engine/media-src';

describe('media files', () => {
  it('turns local paths into file:// URLs that survive odd names', () => {
    expect(fileUrlFromPath('/home/ann/Videos/intro clip.mp4')).toBe('file:///home/ann/Videos/intro%20clip.mp4');
    expect(fileUrlFromPath('/tmp/a#b?c%d.webm')).toBe('file:///tmp/a%23b%3Fc%25d.webm');
    expect(fileUrlFromPath('/tmp/音乐/歌.mp3')).toBe(`file:///tmp/${encodeURIComponent('音乐')}/${encodeURIComponent('歌')}.mp3`);
    expect(fileUrlFromPath('C:\\Users\\Ann\\My Videos\\x.mov')).toBe('file:///C:/Users/Ann/My%20Videos/x.mov');
    expect(fileUrlFromPath('d:/clips/y.mkv')).toBe('file:///d:/clips/y.mkv');
    expect(fileUrlFromPath('\\\\nas\\share\\z.mp4')).toBe('file://nas/share/z.mp4');
    expect(() => fileUrlFromPath('relative/x.mp4')).toThrow(MediaFileError);
    // what the scene keeps plays back as it is
    expect(resolveMediaSrc(fileUrlFromPath('/tmp/x.mp4'))).toBe('file:///tmp/x.mp4');
  });

  it('maps the engine’s upload statuses to problems the UI explains', () => {
    expect(uploadProblem(201)).toBeNull();
    expect(uploadProblem(0)).toBe('unreachable');
    expect(uploadProblem(415)).toBe('unsupported');
    expect(uploadProblem(413)).toBe('too-large');
    expect(uploadProblem(401)).toBe('refused');
    expect(uploadProblem(403)).toBe('refused');
    expect(uploadProblem(400)).toBe('cut-short');
    expect(uploadProblem(500)).toBe('failed');
    const e = new MediaFileError('unsupported', "not an audio or video file: '.txt'", 415);
    expect(e).toMatchObject({ code: 'invalid-file', status: '415', problem: 'unsupported' });
  });

  it('takes only a well-formed tandem-media: reference from the answer', () => {
    const ref = 'tandem-media:0b7e6a52-64a4-4c4f-a7a8-3d3c1f0e9a11.webm';
    expect(parseSrc(JSON.stringify({ src: ref }))).toBe(ref);
    expect(parseSrc(JSON.stringify({ src: 'tandem-media:../../etc/passwd' }))).toBeUndefined();
    expect(parseSrc('{"src": 5}')).toBeUndefined();
    expect(parseSrc('<html>')).toBeUndefined();
    setMediaBase('http://127.0.0.1:4000', 'to k');
    expect(resolveMediaSrc(ref)).toBe('http://127.0.0.1:4000/media-files/0b7e6a52-64a4-4c4f-a7a8-3d3c1f0e9a11.webm?token=to%20k');
  });
});
