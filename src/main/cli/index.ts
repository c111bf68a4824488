#!/usr/bin/env node
// `tandem`: the headless face of the engine. Electron-free.
//   tandem start                 studio: Electron window if installed, else browser mode
//   tandem serve                 browser mode only (engine + UI on 127.0.0.1)
//   tandem publish ...           encode once, publish to RTMP/WHIP destinations, record
//   tandem doctor                ffmpeg in use, version, encoders
import { runStart, runServe } from './start';
import { runPublish } from './publish';
import { runDoctor } from './doctor';

const USAGE = `usage: tandem <command> [options]

commands:
  start      open the studio (Electron window, or browser mode where Electron is not installed)
  serve      browser mode: run the engine and serve the studio UI on 127.0.0.1
             --port N                      the UI's port (default: any free one)
             --obs-websocket-port N        also run the obs-websocket 5 server (Stream Deck,
                                           Companion…) on port N for this run
             --obs-websocket-password P    its password (or set TANDEM_OBS_WEBSOCKET_PASSWORD,
                                           which stays out of the process list; default: the
                                           one in Settings)
             --obs-websocket-lan           listen on the network, not only this machine
  publish    encode once and publish to RTMP/RTMPS and WHIP destinations (see tandem publish --help)
  doctor     show the ffmpeg in use, its version and the encoders it offers
`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'start':
      return runStart(rest);
    case 'serve':
      return runServe(rest);
    case 'publish':
      return runPublish(rest);
    case 'doctor':
      return runDoctor(rest);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return cmd === undefined ? 2 : 0;
    default:
      process.stderr.write(`tandem: unknown command '${cmd}'\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // No stack traces for users: one line with the cause.
    const msg = err instanceof Error ? err.message : String(err);
    process.stderr.write(`tandem: ${msg}\n`);
    process.exitCode = 1;
  },
);
