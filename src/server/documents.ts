import { TextDocuments, type Connection, type Position, type Range } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze, type Analysis } from '../language/passes/analyze';
import { statementSites, type StatementSite } from '../language/editor/instances';
import type { Span } from '../language/text';
import { fileURLToPath } from 'node:url';
import { datasetClassCounter } from '../engine/data/class-count';
import { stateDictReader } from '../engine/pytorch/state-header';
import { BaseModelFiles } from './base-models';

/**
 * One open document at one version with its analysis. Every feature reads this snapshot, so a
 * keystroke is analysed once however many requests follow it; being immutable, it stays right
 * for its version while the editor moves on.
 */
export class AnalyzedDocument {
  private sitesOfVersion: StatementSite[] | undefined;

  constructor(readonly uri: string, readonly version: number, readonly document: TextDocument, readonly analysis: Analysis) {}

  /** What each statement made, for hovers, inlay hints and lenses; computed on first use. */
  get sites(): StatementSite[] {
    this.sitesOfVersion ??= statementSites(this.analysis);
    return this.sitesOfVersion;
  }

  offsetAt(position: Position): number {
    return this.document.offsetAt(position);
  }

  rangeOf(span: Span): Range {
    return { start: this.document.positionAt(span.start), end: this.document.positionAt(span.end) };
  }
}

/** The open documents, each analysed at most once per version. */
export class DocumentStore {
  readonly documents = new TextDocuments(TextDocument);
  private readonly cache = new Map<string, AnalyzedDocument>();
  readonly bases = new BaseModelFiles();

  constructor() {
    this.documents.onDidClose((event) => this.cache.delete(event.document.uri));
    // A fetched base changes what every document naming it means.
    this.bases.onDidFetch(() => this.cache.clear());
  }

  listen(connection: Connection): void {
    this.documents.listen(connection);
  }

  /** The document at its current version, analysed; undefined when it is not open. */
  get(uri: string): AnalyzedDocument | undefined {
    const document = this.documents.get(uri);
    if (!document) return undefined;
    const cached = this.cache.get(uri);
    if (cached && cached.version === document.version) return cached;
    const text = document.getText();
    const snapshot = TextDocument.create(uri, document.languageId, document.version, text);
    const analyzed = new AnalyzedDocument(uri, document.version, snapshot, analyze(text, { readBaseModel: this.bases.readerFor(uri), readStateDict: uri.startsWith('file:') ? stateDictReader(fileURLToPath(uri)) : undefined, datasetClasses: classCounterFor(uri) }));
    this.cache.set(uri, analyzed);
    return analyzed;
  }
}

/** Class folders of image datasets near a saved file (its folder, CONVLAB_DATA_DIR, the cache). */
function classCounterFor(uri: string): ((source: string) => number | undefined) | undefined {
  return uri.startsWith('file:') ? datasetClassCounter(fileURLToPath(uri)) : undefined;
}
