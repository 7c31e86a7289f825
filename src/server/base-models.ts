import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isUrlSource, type BaseModelText, type ReadBaseModel } from '../language/passes/pretrained';
const FETCH_TIMEOUT_MS = 30_000;

/** Why a URL's base is not loaded in an untrusted workspace: the user sees it on the line. */
export const RESTRICTED_MODE_REASON = 'not fetched in Restricted Mode: ConvLab reaches no network for an untrusted workspace (trust the workspace to load this base)';

/**
 * The model.json files that `pretrained` lines name, as the language server reads them: files
 * relative to the document (re-read when they change on disk), and URLs fetched once in the
 * background, after which the documents are analysed again.
 */
export class BaseModelFiles {
  private readonly files = new Map<string, { mtimeMs: number; size: number; text: string }>();
  private readonly fetched = new Map<string, BaseModelText | 'pending'>();
  private readonly listeners: (() => void)[] = [];
  /** Whether URLs may be fetched: false in an untrusted workspace, until it is trusted. */
  private networkAllowed = true;

  /** In Restricted Mode nothing is fetched; trusting the workspace fetches what is named. */
  setWorkspaceTrusted(trusted: boolean): void {
    if (trusted === this.networkAllowed) return;
    this.networkAllowed = trusted;
    if (trusted) for (const listener of this.listeners) listener();
  }

  /** Called when a fetched base arrives, so that documents naming it are analysed again. */
  onDidFetch(listener: () => void): void {
    this.listeners.push(listener);
  }

  readerFor(documentUri: string): ReadBaseModel {
    return (source) => (isUrlSource(source) ? this.fromUrl(source) : this.fromFile(documentUri, source));
  }

  private fromFile(documentUri: string, source: string): BaseModelText {
    if (!documentUri.startsWith('file:')) return { error: 'save the model file first: a relative path needs its folder' };
    const path = resolve(dirname(fileURLToPath(documentUri)), source);
    try {
      const stat = statSync(path);
      const cached = this.files.get(path);
      if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return { text: cached.text, location: path };
      const text = readFileSync(path, 'utf8');
      this.files.set(path, { mtimeMs: stat.mtimeMs, size: stat.size, text });
      return { text, location: path };
    } catch (error) {
      return { error: `${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error)}` };
    }
  }

  private fromUrl(url: string): BaseModelText {
    if (!this.networkAllowed) return { error: RESTRICTED_MODE_REASON };
    const known = this.fetched.get(url);
    if (known === 'pending') return { error: 'fetching its model.json…' };
    if (known) return known;
    this.fetched.set(url, 'pending');
    void this.fetch(url);
    return { error: 'fetching its model.json…' };
  }

  private async fetch(url: string): Promise<void> {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
      this.fetched.set(url, response.ok ? { text: await response.text(), location: url } : { error: `${url} answered ${response.status} ${response.statusText}` });
    } catch (error) {
      this.fetched.set(url, { error: `${url} could not be fetched (${error instanceof Error ? error.message : String(error)})` });
    }
    for (const listener of this.listeners) listener();
  }
}
