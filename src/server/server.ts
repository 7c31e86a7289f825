import { CodeActionKind, TextDocumentSyncKind, type Connection, type InitializeResult } from 'vscode-languageserver/node';
import { codeActions } from './code-actions';
import { codeLenses } from './code-lenses';
import { completions } from './completion';
import { DiagnosticsPublisher } from './diagnostics';
import { documentSymbols } from './document-symbols';
import { DocumentStore, type AnalyzedDocument } from './documents';
import { foldingRanges } from './folding';
import { formattingEdits } from './formatting';
import { hover } from './hover';
import { inlayHints } from './inlay-hints';
import { definition, documentHighlights, prepareRename, references, rename } from './navigation';
import { registerRequests } from './requests';
import { clientSupport, SettingsCache, type ClientSupport } from './settings';
import { signatureHelp } from './signature-help';
import { WORKSPACE_TRUSTED_NOTIFICATION, type ServerInitializationOptions } from '../protocol/lsp';

export interface ServerOptions {
  /** Quiet time after a change before diagnostics are published. */
  diagnosticsDelayMs?: number;
}

/**
 * Wires every feature to a connection and starts listening. Each handler reads the analysed
 * snapshot of its document; a document that is not open gets an empty answer.
 */
export function startServer(connection: Connection, options: ServerOptions = {}): void {
  const store = new DocumentStore();
  let support: ClientSupport = clientSupport({});
  const settings = new SettingsCache(connection, () => support);
  const withDocument = <R>(uri: string, empty: R, answer: (document: AnalyzedDocument) => R): R => {
    const document = store.get(uri);
    return document ? answer(document) : empty;
  };

  connection.onInitialize((params): InitializeResult => {
    support = clientSupport(params.capabilities);
    const options = params.initializationOptions as ServerInitializationOptions | undefined;
    store.bases.setWorkspaceTrusted(options?.workspaceTrusted !== false);
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        completionProvider: {},
        signatureHelpProvider: { triggerCharacters: ['(', ','], retriggerCharacters: [')'] },
        documentSymbolProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        documentHighlightProvider: true,
        renameProvider: { prepareProvider: true },
        foldingRangeProvider: true,
        documentFormattingProvider: true,
        codeLensProvider: { resolveProvider: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        inlayHintProvider: true,
      },
      serverInfo: { name: 'convlab' },
    };
  });
  connection.onInitialized(() => settings.listen());
  connection.onNotification(WORKSPACE_TRUSTED_NOTIFICATION, () => store.bases.setWorkspaceTrusted(true));

  const diagnostics = new DiagnosticsPublisher(connection, store, options.diagnosticsDelayMs);
  connection.onShutdown(() => diagnostics.dispose());

  connection.onHover(({ textDocument, position }) => withDocument(textDocument.uri, null, (d) => hover(d, position)));
  connection.onCompletion(({ textDocument, position }) => withDocument(textDocument.uri, [], (d) => completions(d, position, support.snippets, store.bases.readerFor(d.uri))));
  connection.onSignatureHelp(({ textDocument, position }) => withDocument(textDocument.uri, null, (d) => signatureHelp(d, position)));
  connection.onDocumentSymbol(({ textDocument }) => withDocument(textDocument.uri, [], documentSymbols));
  connection.onDefinition(({ textDocument, position }) => withDocument(textDocument.uri, [], (d) => definition(d, position)));
  connection.onReferences(({ textDocument, position, context }) => withDocument(textDocument.uri, [], (d) => references(d, position, context.includeDeclaration)));
  connection.onDocumentHighlight(({ textDocument, position }) => withDocument(textDocument.uri, [], (d) => documentHighlights(d, position)));
  connection.onPrepareRename(({ textDocument, position }) => withDocument(textDocument.uri, null, (d) => prepareRename(d, position)));
  connection.onRenameRequest(({ textDocument, position, newName }) => withDocument(textDocument.uri, null, (d) => rename(d, position, newName, support.versionedWorkspaceEdits)));
  connection.onFoldingRanges(({ textDocument }) => withDocument(textDocument.uri, [], foldingRanges));
  connection.onDocumentFormatting(({ textDocument }) => withDocument(textDocument.uri, [], formattingEdits));
  connection.onCodeLens(({ textDocument }) => withDocument(textDocument.uri, [], codeLenses));
  connection.onCodeAction(({ textDocument, range }) => withDocument(textDocument.uri, [], (d) => codeActions(d, range)));
  connection.languages.inlayHint.on(async ({ textDocument, range }) => {
    // Settings first: the document is read after the await, at its newest version.
    if (!(await settings.get()).inlayHints.enabled) return [];
    return withDocument(textDocument.uri, [], (d) => inlayHints(d, range));
  });
  registerRequests(connection, store);

  store.listen(connection);
  connection.listen();
}
