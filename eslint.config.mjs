// Lint enforces the import boundaries of docs/ARCHITECTURE.md:
// - src/main/protocol/** is pure: no sockets, files, processes, HTTP or WebRTC;
// - 'electron' only in src/main/index.ts, src/main/control/ipc*.ts and src/preload;
// - one adapter file per kind of I/O: child_process only in src/main/encoder/process.ts, werift
//   only in src/main/outputs/whip/peer.ts, node:net/node:tls only in src/main/outputs/rtmp/socket.ts,
//   node:http only in the two servers (src/main/control/server.ts, control/obs-websocket/server.ts).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const IO_MODULES = [
  'net', 'tls', 'dgram', 'dns', 'http', 'https', 'http2', 'fs', 'fs/promises', 'child_process',
  'cluster', 'worker_threads', 'readline',
].flatMap((m) => [m, `node:${m}`]);

const ioRule = {
  paths: [
    ...IO_MODULES.map((name) => ({ name, message: 'src/main/protocol is pure (docs/ARCHITECTURE.md): bytes in, bytes out; no I/O.' })),
    { name: 'werift', message: 'src/main/protocol is pure: werift belongs in src/main/outputs/whip/peer.ts.' },
    { name: 'ws', message: 'src/main/protocol is pure: no sockets.' },
    { name: 'electron', message: "'electron' is allowed only in src/main/index.ts, src/main/control/ipc*.ts and src/preload." },
  ],
};

const ADAPTERS = {
  electron: { modules: ['electron'], message: "'electron' is allowed only in src/main/index.ts, src/main/control/ipc*.ts and src/preload." },
  process: { modules: ['child_process', 'node:child_process'], message: 'child processes go through src/main/encoder/process.ts (ChildProc), the one child_process adapter.' },
  werift: { modules: ['werift'], message: 'werift is used only in src/main/outputs/whip/peer.ts.' },
  socket: { modules: ['net', 'node:net', 'tls', 'node:tls'], message: 'TCP/TLS sockets live in src/main/outputs/rtmp/socket.ts only.' },
  http: { modules: ['http', 'node:http', 'https', 'node:https'], message: 'HTTP servers live in src/main/control/server.ts and control/obs-websocket/server.ts only.' },
};

/** no-restricted-imports for src/main, allowing the adapters named in `allowed`. */
const adapterRule = (...allowed) => ({
  paths: Object.entries(ADAPTERS)
    .filter(([k]) => !allowed.includes(k))
    // Types are not I/O: `import type { IncomingMessage } from 'node:http'` is fine anywhere.
    .flatMap(([, a]) => a.modules.map((name) => ({ name, message: a.message, allowTypeImports: true }))),
});

const electronRule = adapterRule('process', 'werift', 'socket', 'http');

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.cache/**', 'test-results/**', 'docs/**', 'test/fixtures/**', '.dbg*'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': ['error', electronRule],
    },
  },
  ...[
    [['src/main/**/*.ts'], []],
    [['src/main/encoder/process.ts'], ['process']],
    [['src/main/outputs/whip/peer.ts'], ['werift']],
    [['src/main/outputs/rtmp/socket.ts'], ['socket']],
    [['src/main/control/server.ts', 'src/main/control/obs-websocket/server.ts'], ['http']],
  ].map(([files, allowed]) => ({
    files,
    rules: { 'no-restricted-imports': 'off', '@typescript-eslint/no-restricted-imports': ['error', adapterRule(...allowed)] },
  })),
  {
    files: ['src/main/protocol/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', ioRule], '@typescript-eslint/no-restricted-imports': 'off' },
  },
  {
    files: ['src/main/index.ts', 'src/main/control/ipc*.ts', 'src/preload/**/*.ts', 'test/**/*.ts'],
    rules: { 'no-restricted-imports': 'off', '@typescript-eslint/no-restricted-imports': 'off' },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
);
