// The lint configuration enforces the import boundaries of docs/ARCHITECTURE.md habits 1-2. A file under src/main/protocol
// that imports node:net must fail lint; 'electron' is allowed only in the shell files.
import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImports(code: string, filePath: string): Promise<string[]> {
  const [res] = await eslint.lintText(code, { filePath });
  return (res?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

describe('import boundaries', () => {
  it('rejects node:net, fs and child_process under src/main/protocol', async () => {
    const net = await restrictedImports("import { connect } from 'node:net';\nexport const c = connect;\n", 'src/main/protocol/rtmp/bad.ts');
    expect(net).toHaveLength(1);
    expect(net[0]).toMatch(/pure/);
    expect(await restrictedImports("import * as fs from 'fs';\nexport const f = fs;\n", 'src/main/protocol/flv/bad.ts')).toHaveLength(1);
    expect(await restrictedImports("import { spawn } from 'node:child_process';\nexport const s = spawn;\n", 'src/main/protocol/x.ts')).toHaveLength(1);
  });

  it('allows node:net outside src/main/protocol', async () => {
    expect(await restrictedImports("import { connect } from 'node:net';\nexport const c = connect;\n", 'src/main/outputs/rtmp/socket.ts')).toEqual([]);
  });

  it('one adapter file per kind of I/O: child_process, werift, node:net/tls, node:http', async () => {
    const cases: [string, string, string][] = [
      ["import { spawn } from 'node:child_process';\nexport const s = spawn;\n", 'src/main/encoder/process.ts', 'src/main/cli/start.ts'],
      ["import { RTCPeerConnection } from 'werift';\nexport const p = RTCPeerConnection;\n", 'src/main/outputs/whip/peer.ts', 'src/main/outputs/whip/whip-output.ts'],
      ["import * as tls from 'node:tls';\nexport const t = tls;\n", 'src/main/outputs/rtmp/socket.ts', 'src/main/outputs/rtmp/rtmp-output.ts'],
      ["import { createServer } from 'node:http';\nexport const c = createServer;\n", 'src/main/control/server.ts', 'src/main/studio/studio.ts'],
    ];
    for (const [code, allowed, elsewhere] of cases) {
      expect(await restrictedImports(code, allowed), allowed).toEqual([]);
      const other = await restrictedImports(code, elsewhere);
      expect(other, elsewhere).toHaveLength(1);
    }
    expect(await restrictedImports("import { spawn } from 'child_process';\nexport const s = spawn;\n", 'src/main/pipeline/x.ts')).toHaveLength(1);
  });

  it("allows 'electron' only in the shell files", async () => {
    const code = "import { app } from 'electron';\nexport const a = app;\n";
    expect(await restrictedImports(code, 'src/main/studio/studio.ts')).toHaveLength(1);
    expect(await restrictedImports(code, 'src/main/protocol/amf0/x.ts')).toHaveLength(1);
    expect(await restrictedImports(code, 'src/main/index.ts')).toEqual([]);
    expect(await restrictedImports(code, 'src/main/control/ipc.ts')).toEqual([]);
    expect(await restrictedImports(code, 'src/preload/index.ts')).toEqual([]);
  });
});
