// One JSON file in the data folder, validated on load and written atomically (mode 0600), with
// saves serialized (the last one wins). A damaged file is moved aside (<name>.damaged-<time>) and
// the caller's defaults load with a `problem` for the UI, so a bad file never stops the studio.
// Used for destinations.json and settings.json (docs/ARCHITECTURE.md "Persistence and secrets").
import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { TandemError } from '../../shared/errors';
import { writeFileAtomic } from './secret-store';

export interface JsonLoad<T> {
  value: T | undefined;
  /** Why the saved file was not used, if it was not. */
  problem?: string;
}

export function describeZod(err: unknown): string {
  if (err instanceof z.ZodError) {
    const first = err.issues[0];
    const path = first ? first.path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('').replace(/^\./, '') : '';
    return first ? `${path || '(file)'}: ${first.message}` : 'invalid file';
  }
  return err instanceof Error ? err.message : String(err);
}

export class JsonFileStore<T> {
  readonly file: string;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    readonly dir: string,
    name: string,
    private readonly schema: z.ZodType<T>,
    /** What the file is, for messages ("destinations", "settings"). */
    private readonly what: string,
  ) {
    this.file = join(dir, name);
  }

  async load(): Promise<JsonLoad<T>> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if (typeof err === 'object' && err !== null && 'code' in err && err.code === 'ENOENT') return { value: undefined };
      // Unreadable (permissions…): keep the file where it is, report, use the defaults.
      return { value: undefined, problem: `the saved ${this.what} could not be read (${describeZod(err)})` };
    }
    try {
      return { value: this.schema.parse(JSON.parse(text)) };
    } catch (err) {
      const aside = `${this.file}.damaged-${Date.now()}`;
      await rename(this.file, aside).catch(() => undefined);
      return { value: undefined, problem: `the saved ${this.what} were damaged (${describeZod(err)}); the file was moved to ${aside}` };
    }
  }

  save(value: T): Promise<void> {
    const check = this.schema.safeParse(value);
    if (!check.success) return Promise.reject(new TandemError('invalid-argument', `cannot save ${this.what}: ${describeZod(check.error)}`));
    const text = JSON.stringify(value, null, 1);
    const run = this.writing.then(() => writeFileAtomic(this.file, text));
    this.writing = run.catch(() => undefined);
    return run;
  }

  /** Resolves once every save started so far has finished. */
  flush(): Promise<void> {
    return this.writing;
  }
}
