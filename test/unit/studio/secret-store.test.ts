import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EncryptedFileSecretStore,
  MemorySecretStore,
  SafeStorageSecretStore,
  SecretStoreError,
  writeFileAtomic,
  type SafeStorageLike,
  type SecretStore,
} from '../../../src/main/studio/secret-store';
import { InputError } from '../../../src/shared/errors';

const SECRET = 'live_123456_SuperSecretStreamKey';
const posix = process.platform !== 'win32';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tandem-secrets-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every byte of every file under `dir`, concatenated. */
async function allBytes(d: string): Promise<Buffer> {
  const names = await readdir(d);
  return Buffer.concat(await Promise.all(names.map((n) => readFile(join(d, n)))));
}

const mode = async (f: string) => (await stat(f)).mode & 0o777;

/** A stand-in for Electron's safeStorage: XOR "encryption" with a marker, so tampering shows. */
function fakeSafeStorage(available = true, backend?: string): SafeStorageLike & { available: boolean } {
  const fake = {
    available,
    isEncryptionAvailable: () => fake.available,
    encryptString: (s: string) => Buffer.concat([Buffer.from('v10'), Buffer.from(s, 'utf8').map((b) => b ^ 0x5a)]),
    decryptString: (b: Buffer) => {
      if (b.subarray(0, 3).toString() !== 'v10') throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return Buffer.from(b.subarray(3).map((x) => x ^ 0x5a)).toString('utf8');
    },
    ...(backend === undefined ? {} : { getSelectedStorageBackend: () => backend }),
  };
  return fake;
}

async function roundTrip(store: SecretStore): Promise<void> {
  expect(await store.get('dest-1')).toBeUndefined();
  await store.set('dest-1', SECRET);
  await store.set('dest-2', 'token-ÄÖ-中文');
  expect(await store.get('dest-1')).toBe(SECRET);
  expect(await store.get('dest-2')).toBe('token-ÄÖ-中文');
  await store.set('dest-1', 'replaced-key');
  expect(await store.get('dest-1')).toBe('replaced-key');
  await store.delete('dest-1');
  await store.delete('never-there');
  expect(await store.get('dest-1')).toBeUndefined();
  await store.set('dest-2', '');
  expect(await store.get('dest-2')).toBeUndefined();
}

describe('EncryptedFileSecretStore (browser mode)', () => {
  it('round-trips, and a fresh instance reads what the last one wrote', async () => {
    const store = new EncryptedFileSecretStore(dir);
    expect(store.kind).toBe('encrypted-file');
    await roundTrip(store);
    await store.set('a', SECRET);
    expect(await new EncryptedFileSecretStore(dir).get('a')).toBe(SECRET);
  });

  it('never writes the secret in clear text (nor base64 of it)', async () => {
    const store = new EncryptedFileSecretStore(dir);
    await store.set('a', SECRET);
    await store.set('b', SECRET); // same secret twice: different IVs, different ciphertexts
    const bytes = await allBytes(dir);
    expect(bytes.includes(Buffer.from(SECRET))).toBe(false);
    expect(bytes.includes(Buffer.from(Buffer.from(SECRET).toString('base64').slice(0, 16)))).toBe(false);
    expect(bytes.includes(Buffer.from('SuperSecret'))).toBe(false);
    const json = JSON.parse(await readFile(join(dir, 'secrets.json'), 'utf8')) as { secrets: Record<string, string> };
    expect(json.secrets.a).not.toBe(json.secrets.b);
    expect(Buffer.from(json.secrets.a ?? '', 'base64').length).toBe(12 + 16 + SECRET.length);
  });

  it.runIf(posix)('keeps the key file and the secrets file at mode 0600', async () => {
    const store = new EncryptedFileSecretStore(dir);
    await store.set('a', SECRET);
    expect(await mode(join(dir, 'secret.key'))).toBe(0o600);
    expect(await mode(join(dir, 'secrets.json'))).toBe(0o600);
    expect((await readFile(join(dir, 'secret.key'))).length).toBe(32);
    await store.set('b', 'x-key-2');
    expect(await mode(join(dir, 'secrets.json'))).toBe(0o600);
    expect((await readdir(dir)).sort()).toEqual(['secret.key', 'secrets.json']); // no temp files left
  });

  it('tampered ciphertext → typed error naming the id, never the secret', async () => {
    await new EncryptedFileSecretStore(dir).set('a', SECRET);
    const file = join(dir, 'secrets.json');
    const json = JSON.parse(await readFile(file, 'utf8')) as { version: 1; secrets: Record<string, string> };
    const blob = Buffer.from(json.secrets.a ?? '', 'base64');
    blob[blob.length - 1] = (blob[blob.length - 1] ?? 0) ^ 1;
    json.secrets.a = blob.toString('base64');
    await writeFile(file, JSON.stringify(json));
    const err = await new EncryptedFileSecretStore(dir).get('a').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretStoreError);
    expect((err as SecretStoreError).code).toBe('invalid-file');
    expect((err as SecretStoreError).message).toContain("'a'");
    expect(String(err)).not.toContain(SECRET);
  });

  it('an entry moved onto another id does not decrypt (id is authenticated)', async () => {
    const store = new EncryptedFileSecretStore(dir);
    await store.set('a', SECRET);
    const file = join(dir, 'secrets.json');
    const json = JSON.parse(await readFile(file, 'utf8')) as { version: 1; secrets: Record<string, string> };
    json.secrets.b = json.secrets.a ?? '';
    await writeFile(file, JSON.stringify(json));
    await expect(new EncryptedFileSecretStore(dir).get('b')).rejects.toBeInstanceOf(SecretStoreError);
  });

  it('a replaced or missing key file → typed error; a new set works again', async () => {
    await new EncryptedFileSecretStore(dir).set('a', SECRET);
    await writeFile(join(dir, 'secret.key'), Buffer.alloc(32, 7));
    await expect(new EncryptedFileSecretStore(dir).get('a')).rejects.toMatchObject({ code: 'invalid-file' });
    await writeFile(join(dir, 'secret.key'), Buffer.alloc(5));
    await expect(new EncryptedFileSecretStore(dir).get('a')).rejects.toThrow(/32-byte key/);
    await rm(join(dir, 'secret.key'));
    const store = new EncryptedFileSecretStore(dir);
    await expect(store.get('a')).rejects.toThrow(/missing/);
    await store.set('a', 'new-key-value');
    expect(await store.get('a')).toBe('new-key-value');
  });

  it.runIf(posix)('tightens a key file that was made readable by others', async () => {
    await new EncryptedFileSecretStore(dir).set('a', SECRET);
    await chmod(join(dir, 'secret.key'), 0o644);
    expect(await new EncryptedFileSecretStore(dir).get('a')).toBe(SECRET);
    expect(await mode(join(dir, 'secret.key'))).toBe(0o600);
  });

  it('a damaged secrets file is moved aside with a problem, and the store keeps working', async () => {
    await writeFile(join(dir, 'secrets.json'), '{not json');
    const store = new EncryptedFileSecretStore(dir);
    expect(await store.get('a')).toBeUndefined();
    expect(store.problem).toMatch(/moved to .*secrets\.json\.damaged-/);
    expect((await readdir(dir)).some((n) => n.startsWith('secrets.json.damaged-'))).toBe(true);
    await store.set('a', SECRET);
    expect(await store.get('a')).toBe(SECRET);
  });

  it('serializes concurrent writes so none is lost', async () => {
    const store = new EncryptedFileSecretStore(dir);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.set(`id-${i}`, `key-${i}-value`)));
    const fresh = new EncryptedFileSecretStore(dir);
    for (let i = 0; i < 20; i++) expect(await fresh.get(`id-${i}`)).toBe(`key-${i}-value`);
  });

  it('explains its protection in one sentence', () => {
    const { notice } = new EncryptedFileSecretStore(dir);
    expect(notice).toMatch(/key file/);
    expect(notice).toMatch(/user account/);
    expect(notice.split(/\.\s/).length).toBe(1);
  });
});

describe('SafeStorageSecretStore (desktop)', () => {
  it('round-trips through safeStorage and stores base64 ciphertexts in the file', async () => {
    const file = join(dir, 'secrets.json');
    const store = new SafeStorageSecretStore(fakeSafeStorage(), file);
    expect(store.kind).toBe('os-keychain');
    expect(store.notice).toBeUndefined();
    await roundTrip(store);
    await store.set('a', SECRET);
    const json = JSON.parse(await readFile(file, 'utf8')) as { version: number; secrets: Record<string, string> };
    expect(json.version).toBe(1);
    expect(Buffer.from(json.secrets.a ?? '', 'base64').subarray(0, 3).toString()).toBe('v10');
    expect((await allBytes(dir)).includes(Buffer.from(SECRET))).toBe(false);
    if (posix) expect(await mode(file)).toBe(0o600);
    expect(await new SafeStorageSecretStore(fakeSafeStorage(), file).get('a')).toBe(SECRET);
  });

  it('unavailable encryption → a clear typed error, and nothing written', async () => {
    const file = join(dir, 'secrets.json');
    const safe = fakeSafeStorage(false);
    const store = new SafeStorageSecretStore(safe, file);
    const err = await store.set('a', SECRET).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretStoreError);
    expect((err as SecretStoreError).code).toBe('invalid-state');
    expect((err as Error).message).toMatch(/keychain is not available/);
    expect(String(err)).not.toContain(SECRET);
    expect(await readdir(dir)).toEqual([]);
    safe.available = true;
    await store.set('a', SECRET);
    safe.available = false;
    await expect(store.get('a')).rejects.toMatchObject({ code: 'invalid-state' });
  });

  it('a ciphertext safeStorage cannot decrypt → typed error without the underlying object', async () => {
    const file = join(dir, 'secrets.json');
    await writeFile(file, JSON.stringify({ version: 1, secrets: { a: Buffer.from('garbage').toString('base64') } }));
    const err = await new SafeStorageSecretStore(fakeSafeStorage(), file).get('a').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretStoreError);
    expect((err as SecretStoreError).code).toBe('invalid-file');
  });

  it("warns when Linux falls back to the 'basic_text' backend", () => {
    expect(new SafeStorageSecretStore(fakeSafeStorage(true, 'basic_text'), join(dir, 's.json')).notice).toMatch(/keyring/);
    expect(new SafeStorageSecretStore(fakeSafeStorage(true, 'gnome_libsecret'), join(dir, 's.json')).notice).toBeUndefined();
  });
});

describe('MemorySecretStore and input checks', () => {
  it('round-trips in memory', async () => {
    const store = new MemorySecretStore();
    expect(store.kind).toBe('memory');
    await roundTrip(store);
  });

  it('rejects bad ids and oversized secrets with InputError (as rejections)', async () => {
    for (const store of [new MemorySecretStore(), new EncryptedFileSecretStore(dir)]) {
      await expect(store.get('')).rejects.toBeInstanceOf(InputError);
      await expect(store.set('a\nb', 'k')).rejects.toBeInstanceOf(InputError);
      await expect(store.set('a', 'k'.repeat(5000))).rejects.toMatchObject({ code: 'invalid-key' });
    }
  });

  it.runIf(posix)('writeFileAtomic replaces the file whole, at 0600', async () => {
    const f = join(dir, 'sub', 'x.json');
    await writeFileAtomic(f, 'one');
    await writeFileAtomic(f, 'two');
    expect(await readFile(f, 'utf8')).toBe('two');
    expect(await mode(f)).toBe(0o600);
    expect(await readdir(join(dir, 'sub'))).toEqual(['x.json']);
  });
});
