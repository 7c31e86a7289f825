import { DiagnosticSeverity, DiagnosticTag, type Connection, type Diagnostic } from 'vscode-languageserver/node';
import type { Diagnostic as LanguageDiagnostic, Severity } from '../language/diagnostic-sink';
import type { AnalyzedDocument, DocumentStore } from './documents';

/** Quiet time after a keystroke before the problems are recomputed: typing a word publishes once. */
export const DIAGNOSTICS_DELAY_MS = 150;

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

/**
 * Publishes each open document's problems. Changes are debounced, and the work done when the
 * timer fires is always for the newest text, so an older version never overwrites a newer one.
 * Each publication carries its version so the client can drop it if it arrives late.
 */
export class DiagnosticsPublisher {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly published = new Map<string, number>();
  /** Opened and not yet published: shown at once rather than after the typing delay. */
  private readonly justOpened = new Set<string>();

  constructor(private readonly connection: Connection, private readonly store: DocumentStore, private readonly delayMs = DIAGNOSTICS_DELAY_MS) {
    store.documents.onDidOpen((event) => this.justOpened.add(event.document.uri));
    store.documents.onDidChangeContent((event) => {
      const uri = event.document.uri;
      this.schedule(uri, this.justOpened.delete(uri) ? 0 : this.delayMs);
    });
    store.documents.onDidClose((event) => this.clear(event.document.uri));
    store.bases.onDidFetch(() => {
      for (const document of store.documents.all()) this.schedule(document.uri, 0);
    });
  }

  private schedule(uri: string, delayMs: number): void {
    clearTimeout(this.timers.get(uri));
    this.timers.set(uri, setTimeout(() => {
      this.timers.delete(uri);
      // A request's failure becomes an error response; a timer's would end the process.
      try {
        this.publish(uri);
      } catch (error) {
        this.connection.console.error(`diagnostics for ${uri} failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      }
    }, delayMs));
  }

  private publish(uri: string): void {
    const document = this.store.get(uri);
    if (!document) return;
    const last = this.published.get(uri);
    if (last !== undefined && document.version < last) return;
    this.published.set(uri, document.version);
    void this.connection.sendDiagnostics({ uri, version: document.version, diagnostics: toLspDiagnostics(document) });
  }

  /** A closed document keeps no problems in the client's list. */
  private clear(uri: string): void {
    clearTimeout(this.timers.get(uri));
    this.timers.delete(uri);
    this.published.delete(uri);
    this.justOpened.delete(uri);
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}

export function toLspDiagnostics(document: AnalyzedDocument): Diagnostic[] {
  return document.analysis.diagnostics.map((d) => toLspDiagnostic(document, d));
}

/** The hint goes on a line of its own under the message; block calls become related locations. */
export function toLspDiagnostic(document: AnalyzedDocument, diagnostic: LanguageDiagnostic): Diagnostic {
  return {
    range: document.rangeOf(diagnostic.span),
    severity: SEVERITY[diagnostic.severity],
    code: diagnostic.code,
    source: 'convlab',
    message: diagnostic.hint ? `${diagnostic.message}\n${diagnostic.hint}` : diagnostic.message,
    tags: diagnostic.code === 'unused-block' ? [DiagnosticTag.Unnecessary] : undefined,
    relatedInformation: diagnostic.related?.map((related) => ({
      location: { uri: document.uri, range: document.rangeOf(related.span) },
      message: related.message,
    })),
  };
}
