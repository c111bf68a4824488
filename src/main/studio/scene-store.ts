// Saves the scene document as JSON in the user's data folder: atomically (write, then rename),
// debounced while the user drags, and migrated forward on load. A damaged file is kept aside
// (scenes.json.damaged-<time>) and the defaults load, so a bad file never stops the studio.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { homedir } from 'node:os';
import defaultDoc from '../../../resources/default-scene.json';
import { migrateSceneDoc } from '../../shared/scene/migrate';
import type { SceneDoc } from '../../shared/scene/model';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TANDEM_DATA_DIR) return env.TANDEM_DATA_DIR;
  if (process.platform === 'win32' && env.APPDATA) return join(env.APPDATA, 'Tandem Studio');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Tandem Studio');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'tandem-studio');
}

export function defaultSceneDoc(): SceneDoc {
  return migrateSceneDoc(structuredClone(defaultDoc));
}

export interface LoadResult {
  doc: SceneDoc;
  /** Why the saved file was not used, if it was not. */
  problem?: string;
}

export class SceneStore {
  private readonly file: string;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pending: SceneDoc | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    readonly dir: string,
    private readonly delayMs = 400,
  ) {
    this.file = join(dir, 'scenes.json');
  }

  async load(): Promise<LoadResult> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      return { doc: defaultSceneDoc() };
    }
    try {
      return { doc: migrateSceneDoc(JSON.parse(text)) };
    } catch (err) {
      const aside = `${this.file}.damaged-${Date.now()}`;
      await rename(this.file, aside).catch(() => undefined);
      const why = err instanceof Error ? err.message : String(err);
      return { doc: defaultSceneDoc(), problem: `${why}; the file was moved to ${aside} and the default scenes loaded` };
    }
  }

  /** Schedules a save; the latest document wins. */
  save(doc: SceneDoc): void {
    this.pending = doc;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), this.delayMs);
  }

  /** Writes any pending document now. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    const doc = this.pending;
    this.pending = undefined;
    if (doc) {
      this.writing = this.writing.then(async () => {
        await mkdir(this.dir, { recursive: true });
        const tmp = `${this.file}.tmp-${process.pid}`;
        await writeFile(tmp, JSON.stringify(doc, null, 1));
        await rename(tmp, this.file);
      });
    }
    await this.writing;
  }
}
