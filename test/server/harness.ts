import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import {
  ConfigurationRequest, createConnection, createProtocolConnection, DidChangeTextDocumentNotification, DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification, InitializedNotification, InitializeRequest, InlayHintRefreshRequest, PublishDiagnosticsNotification,
  RegistrationRequest, StreamMessageReader, StreamMessageWriter,
  type ClientCapabilities, type Position, type ProtocolConnection, type PublishDiagnosticsParams,
} from 'vscode-languageserver/node';
import { lex } from '../../src/language/passes/lexer';
import { startServer } from '../../src/server/server';

export const repoRoot = join(__dirname, '..', '..');

export function sample(name: string): string {
  return readFileSync(join(repoRoot, 'samples', name), 'utf8');
}

/** What a client like VS Code announces: snippets, pulled configuration, versioned edits, refreshes. */
export const VSCODE_LIKE: ClientCapabilities = {
  textDocument: {
    completion: { completionItem: { snippetSupport: true } },
    documentSymbol: { hierarchicalDocumentSymbolSupport: true },
    rename: { prepareSupport: true },
  },
  workspace: {
    configuration: true,
    didChangeConfiguration: { dynamicRegistration: true },
    inlayHint: { refreshSupport: true },
    workspaceEdit: { documentChanges: true },
  },
};

export interface ClientOptions {
  capabilities?: ClientCapabilities;
  /** The `convlab` section the client answers workspace/configuration with. */
  settings?: unknown;
  diagnosticsDelayMs?: number;
  /** What the client passes at initialize (`workspaceTrusted`). */
  initializationOptions?: unknown;
}

/**
 * A language client over a pair of in-memory streams, with the server started in this process:
 * the whole protocol runs (JSON-RPC framing included) without VS Code or a child process.
 */
export class TestClient {
  readonly diagnostics: PublishDiagnosticsParams[] = [];
  inlayHintRefreshes = 0;
  settings: unknown;
  private readonly versions = new Map<string, number>();
  private readonly waiters: (() => void)[] = [];

  private constructor(readonly connection: ProtocolConnection, settings: unknown) {
    this.settings = settings;
  }

  static async start(options: ClientOptions = {}): Promise<TestClient> {
    const toServer = new PassThrough();
    const toClient = new PassThrough();
    startServer(createConnection(new StreamMessageReader(toServer), new StreamMessageWriter(toClient)), { diagnosticsDelayMs: options.diagnosticsDelayMs ?? 20 });
    const connection = createProtocolConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
    const client = new TestClient(connection, options.settings ?? { inlayHints: { enabled: true } });
    connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      client.diagnostics.push(params);
      for (const wake of client.waiters.splice(0)) wake();
    });
    connection.onRequest(ConfigurationRequest.type, (params) => params.items.map(() => client.settings));
    connection.onRequest(RegistrationRequest.type, () => undefined);
    connection.onRequest(InlayHintRefreshRequest.type, () => {
      client.inlayHintRefreshes++;
    });
    connection.listen();
    await connection.sendRequest(InitializeRequest.type, { processId: null, rootUri: null, capabilities: options.capabilities ?? VSCODE_LIKE, initializationOptions: options.initializationOptions });
    await connection.sendNotification(InitializedNotification.type, {});
    return client;
  }

  /** Opens a document (version 1) and returns its uri. */
  async open(text: string, uri = `file:///work/model${this.versions.size}.cnn`): Promise<string> {
    this.versions.set(uri, 1);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'cnn', version: 1, text } });
    return uri;
  }

  /** Replaces the whole text; returns the new version. */
  async change(uri: string, text: string): Promise<number> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text }] });
    return version;
  }

  async close(uri: string): Promise<void> {
    await this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  /** The first publication for a uri that satisfies `accept`, waiting for it if need be. */
  async diagnosticsFor(uri: string, accept: (p: PublishDiagnosticsParams) => boolean = () => true, timeoutMs = 2000): Promise<PublishDiagnosticsParams> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.diagnostics.find((p) => p.uri === uri && accept(p));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching diagnostics for ${uri}; got ${JSON.stringify(this.diagnostics.map((p) => [p.uri, p.version, p.diagnostics.length]))}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  dispose(): void {
    this.connection.dispose();
  }
}

/**
 * "Text with a cursor": `|` marks the position, as the language tests write it.
 * Returns the text without the marker and the LSP position of the marker.
 */
export function cursor(textWithCursor: string): { text: string; position: Position } {
  const offset = textWithCursor.indexOf('|');
  if (offset < 0) throw new Error('no | cursor in the text');
  return { text: textWithCursor.slice(0, offset) + textWithCursor.slice(offset + 1), position: positionOf(textWithCursor, offset) };
}

/** The position of the first `needle` in a text, moved `delta` characters along its line. */
export function positionAt(text: string, needle: string, delta = 0): Position {
  const offset = text.indexOf(needle);
  if (offset < 0) throw new Error(`'${needle}' is not in the text`);
  return positionOf(text, offset + delta);
}

function positionOf(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/**
 * What formatting must leave alone: every token's text (a comment's up to trailing blanks) and
 * the line structure, where a run of line breaks counts as one.
 */
export function tokenSequence(text: string): string[] {
  const sequence: string[] = [];
  for (const token of lex(text)) {
    if (token.kind === 'eof') break;
    const tokenText = text.slice(token.span.start, token.span.end);
    if (token.kind !== 'newline') sequence.push(token.kind === 'comment' ? tokenText.trimEnd() : tokenText);
    else if (sequence.length > 0 && sequence[sequence.length - 1] !== '\n') sequence.push('\n');
  }
  if (sequence[sequence.length - 1] === '\n') sequence.pop();
  return sequence;
}
