// Where stream keys and bearer tokens live at rest (docs/ARCHITECTURE.md "Persistence and secrets";
// habit 7: never in logs, errors or stats). Three stores behind one interface:
// - SafeStorageSecretStore: the desktop app. Electron's safeStorage (OS keychain / DPAPI /
//   libsecret) encrypts each secret; the ciphertexts sit base64 in a JSON file. The structural
//   type keeps 'electron' out of this file (lint: only index.ts and control/ipc*.ts import it).
// - EncryptedFileSecretStore: browser mode and the CLI. AES-256-GCM with a random key in a file
//   beside the ciphertexts: protects against casual reading, not against the user account.
// - MemorySecretStore: tests.
// Files are written atomically (temp file + rename) with mode 0600. No method logs anything, and
// no error message carries a secret (messages name the destination id only).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InputError, TandemError, type ErrorCode } from '../../shared/errors';

export type SecretStoreKind = 'os-keychain' | 'encrypted-file' | 'memory';

export interface SecretStore {
  /** The secret for a destination id, or undefined if none is stored. */
  get(id: string): Promise<string | undefined>;
  /** Stores (or replaces) the secret; an empty string deletes it. */
  set(id: string, secret: string): Promise<void>;
  delete(id: string): Promise<void>;
  readonly kind: SecretStoreKind;
  /** One sentence for the UI about how well secrets are protected, when it is worth saying. */
  readonly notice?: string | undefined;
  /** Why the stored secrets could not be read at load (the file was moved aside), if so. */
  readonly problem?: string | undefined;
}

/** A secret store failure: unavailable encryption ('invalid-state'), damaged data ('invalid-file'). */
export class SecretStoreError extends TandemError {
  constructor(code: ErrorCode, message: string, opts: { cause?: unknown } = {}) {
    super(code, message, opts);
  }
}

export const FILE_MODE = 0o600;

/** Writes a file atomically (temp + rename) with mode 0600, creating the folder (0700) if needed. */
export async function writeFileAtomic(file: string, data: string | Uint8Array, mode = FILE_MODE): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(tmp, data, { mode, flag: 'wx' });
    await chmod(tmp, mode); // writeFile's mode is filtered by the umask
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

function checkId(id: string): void {
  // eslint-disable-next-line no-control-regex
  if (typeof id !== 'string' || id.length === 0 || id.length > 200 || /[\u0000-\u001f\u007f]/.test(id)) {
    throw new InputError('invalid-argument', 'a secret needs a destination id (1-200 printable characters)');
  }
}

function checkSecret(secret: string): void {
  if (typeof secret !== 'string') throw new InputError('invalid-key', 'the key must be text');
  if (secret.length > 4096) throw new InputError('invalid-key', 'the key is too long');
}

const isMissing = (err: unknown): boolean => typeof err === 'object' && err !== null && 'code' in err && err.code === 'ENOENT';

interface SecretsFile {
  version: 1;
  secrets: Record<string, string>;
}

function parseSecretsFile(text: string): Map<string, string> {
  const json: unknown = JSON.parse(text);
  if (typeof json !== 'object' || json === null || !('version' in json) || json.version !== 1 || !('secrets' in json)) {
    throw new Error('not a version 1 secrets file');
  }
  const secrets: unknown = json.secrets;
  if (typeof secrets !== 'object' || secrets === null || Array.isArray(secrets)) throw new Error('secrets is not an object');
  const out = new Map<string, string>();
  for (const [id, v] of Object.entries(secrets)) {
    if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) throw new Error(`the entry for '${id.slice(0, 64)}' is not base64`);
    out.set(id, v);
  }
  return out;
}

/**
 * The shared part of the file-backed stores: a JSON map id → base64 ciphertext, loaded once,
 * each change written atomically, operations serialized so concurrent sets never lose one.
 */
abstract class FileBackedStore implements SecretStore {
  abstract readonly kind: SecretStoreKind;
  abstract readonly notice: string | undefined;
  problem: string | undefined;
  private entries: Map<string, string> | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(protected readonly file: string) {}

  protected abstract encrypt(id: string, secret: string): Promise<Buffer>;
  protected abstract decrypt(id: string, data: Buffer): Promise<string>;

  async get(id: string): Promise<string | undefined> {
    checkId(id);
    return this.serial(async () => {
      const b64 = (await this.load()).get(id);
      return b64 === undefined ? undefined : this.decrypt(id, Buffer.from(b64, 'base64'));
    });
  }

  async set(id: string, secret: string): Promise<void> {
    checkId(id);
    checkSecret(secret);
    if (secret === '') return this.delete(id);
    return this.serial(async () => {
      const entries = await this.load();
      const data = await this.encrypt(id, secret);
      const next = new Map(entries).set(id, data.toString('base64'));
      await this.write(next);
      this.entries = next;
    });
  }

  async delete(id: string): Promise<void> {
    checkId(id);
    return this.serial(async () => {
      const entries = await this.load();
      if (!entries.has(id)) return;
      const next = new Map(entries);
      next.delete(id);
      await this.write(next);
      this.entries = next;
    });
  }

  /** Ids with a stored secret (no secrets). */
  ids(): Promise<string[]> {
    return this.serial(async () => [...(await this.load()).keys()]);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async load(): Promise<Map<string, string>> {
    if (this.entries) return this.entries;
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if (!isMissing(err)) throw new SecretStoreError('invalid-file', `cannot read the saved keys (${this.file})`, { cause: err });
      this.entries = new Map();
      return this.entries;
    }
    try {
      this.entries = parseSecretsFile(text);
    } catch (err) {
      const aside = `${this.file}.damaged-${Date.now()}`;
      await rename(this.file, aside).catch(() => undefined);
      const why = err instanceof Error ? err.message : String(err);
      this.problem = `the saved keys could not be read (${why}); the file was moved to ${aside} and the keys must be entered again`;
      this.entries = new Map();
    }
    return this.entries;
  }

  private async write(entries: Map<string, string>): Promise<void> {
    const body: SecretsFile = { version: 1, secrets: Object.fromEntries(entries) };
    await writeFileAtomic(this.file, JSON.stringify(body, null, 1));
  }
}

/** What Electron's safeStorage offers (structurally; this file must not import 'electron'). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only: 'basic_text' means no keyring was found and Chromium uses a fixed password. */
  getSelectedStorageBackend?(): string;
}

/** The desktop app's store: Electron safeStorage ciphertexts in `file` (e.g. userData/secrets.json). */
export class SafeStorageSecretStore extends FileBackedStore {
  readonly kind = 'os-keychain' as const;

  constructor(
    private readonly safeStorage: SafeStorageLike,
    file: string,
  ) {
    super(file);
  }

  get notice(): string | undefined {
    let backend: string | undefined;
    try {
      backend = this.safeStorage.getSelectedStorageBackend?.();
    } catch {
      backend = undefined;
    }
    return backend === 'basic_text'
      ? 'No system keyring was found, so keys are only obfuscated on disk: install or unlock a keyring (e.g. GNOME Keyring or KWallet) for real protection.'
      : undefined;
  }

  private ensureAvailable(): void {
    if (!this.safeStorage.isEncryptionAvailable()) {
      throw new SecretStoreError(
        'invalid-state',
        'the system keychain is not available, so stream keys cannot be stored securely: unlock or install a keyring and try again',
      );
    }
  }

  protected async encrypt(_id: string, secret: string): Promise<Buffer> {
    this.ensureAvailable();
    try {
      return this.safeStorage.encryptString(secret);
    } catch (err) {
      throw new SecretStoreError('internal', 'the system keychain could not encrypt the key', { cause: scrub(err) });
    }
  }

  protected async decrypt(id: string, data: Buffer): Promise<string> {
    this.ensureAvailable();
    try {
      return this.safeStorage.decryptString(data);
    } catch (err) {
      throw new SecretStoreError('invalid-file', `the saved key for '${id.slice(0, 64)}' could not be decrypted (the keychain changed or the file was altered): enter it again`, { cause: scrub(err) });
    }
  }
}

/** Keep only an error's class and message as a cause: never the object that might hold input. */
function scrub(err: unknown): Error {
  return err instanceof Error ? new Error(`${err.name}: ${err.message}`) : new Error('unknown error');
}

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Browser mode: AES-256-GCM under a random 32-byte key in `dir/secret.key`, ciphertexts
 * (iv ‖ tag ‖ data, base64) in `dir/secrets.json`; both 0600. The destination id is the
 * additional authenticated data, so an entry copied onto another id does not decrypt.
 */
export class EncryptedFileSecretStore extends FileBackedStore {
  readonly kind = 'encrypted-file' as const;
  readonly notice =
    'In browser mode, keys are encrypted with a key file stored next to them, which protects against casual reading of the data folder but not against someone with access to your user account (unlike the OS keychain in the desktop app).';
  private key: Promise<Buffer> | undefined;
  private readonly keyFile: string;

  constructor(readonly dir: string) {
    super(join(dir, 'secrets.json'));
    this.keyFile = join(dir, 'secret.key');
  }

  protected async encrypt(id: string, secret: string): Promise<Buffer> {
    const key = await this.getKey(true);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(id, 'utf8'));
    const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), data]);
  }

  protected async decrypt(id: string, blob: Buffer): Promise<string> {
    const key = await this.getKey(false);
    const fail = (cause?: unknown): SecretStoreError =>
      new SecretStoreError('invalid-file', `the saved key for '${id.slice(0, 64)}' could not be decrypted (the file or ${this.keyFile} was changed): enter it again`, cause === undefined ? {} : { cause: scrub(cause) });
    if (blob.length < IV_BYTES + TAG_BYTES) throw fail();
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, blob.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(id, 'utf8'));
      decipher.setAuthTag(blob.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(blob.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch (err) {
      throw fail(err);
    }
  }

  /** Reads the key file, or (when `create`) makes one; tightens a too-open mode to 0600. */
  private getKey(create: boolean): Promise<Buffer> {
    if (!this.key) {
      const p = this.loadKey(create);
      this.key = p;
      p.catch(() => {
        if (this.key === p) this.key = undefined; // retry next time (e.g. created later)
      });
    }
    return this.key;
  }

  private async loadKey(create: boolean): Promise<Buffer> {
    try {
      const key = await readFile(this.keyFile);
      if (key.length !== KEY_BYTES) throw new SecretStoreError('invalid-file', `${this.keyFile} is not a ${KEY_BYTES}-byte key: saved keys cannot be decrypted`);
      await chmod(this.keyFile, FILE_MODE).catch(() => undefined);
      return key;
    } catch (err) {
      if (err instanceof SecretStoreError) throw err;
      if (!isMissing(err)) throw new SecretStoreError('invalid-file', `cannot read ${this.keyFile}`, { cause: scrub(err) });
      if (!create) throw new SecretStoreError('invalid-file', `${this.keyFile} is missing: saved keys cannot be decrypted, enter them again`);
    }
    const key = randomBytes(KEY_BYTES);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    try {
      // 'wx': never replace a key another process created in the meantime.
      await writeFile(this.keyFile, key, { mode: FILE_MODE, flag: 'wx' });
      await chmod(this.keyFile, FILE_MODE);
      return key;
    } catch (err) {
      if (typeof err === 'object' && err !== null && 'code' in err && err.code === 'EEXIST') return this.loadKey(false);
      throw new SecretStoreError('invalid-file', `cannot create ${this.keyFile}`, { cause: scrub(err) });
    }
  }
}

/** Secrets in memory only (tests; or a session that must not persist keys). */
export class MemorySecretStore implements SecretStore {
  readonly kind = 'memory' as const;
  readonly notice = 'Keys are kept in memory only and are forgotten when the studio closes.';
  private readonly map = new Map<string, string>();

  async get(id: string): Promise<string | undefined> {
    checkId(id);
    return this.map.get(id);
  }

  async set(id: string, secret: string): Promise<void> {
    checkId(id);
    checkSecret(secret);
    if (secret === '') this.map.delete(id);
    else this.map.set(id, secret);
  }

  async delete(id: string): Promise<void> {
    checkId(id);
    this.map.delete(id);
  }
}
