// Lint enforces DESIGN.md's import boundaries:
// - src/main/protocol/** is pure: no sockets, files, processes, HTTP or WebRTC;
// - 'electron' only in src/main/index.ts, src/main/control/ipc*.ts and src/preload.
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
    ...IO_MODULES.map((name) => ({ name, message: 'src/main/protocol is pure (DESIGN.md): bytes in, bytes out; no I/O.' })),
    { name: 'werift', message: 'src/main/protocol is pure: werift belongs in src/main/outputs/whip/peer.ts.' },
    { name: 'ws', message: 'src/main/protocol is pure: no sockets.' },
    { name: 'electron', message: "'electron' is allowed only in src/main/index.ts, src/main/control/ipc*.ts and src/preload." },
  ],
};

const electronRule = {
  paths: [{ name: 'electron', message: "'electron' is allowed only in src/main/index.ts, src/main/control/ipc*.ts and src/preload." }],
};

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
  {
    files: ['src/main/protocol/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', ioRule] },
  },
  {
    files: ['src/main/index.ts', 'src/main/control/ipc*.ts', 'src/preload/**/*.ts', 'test/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
);
