import { DidChangeConfigurationNotification, type ClientCapabilities, type Connection } from 'vscode-languageserver/node';

/** The `convlab.*` settings the server reads. */
export interface ServerSettings {
  inlayHints: { enabled: boolean };
}

export const DEFAULT_SETTINGS: ServerSettings = { inlayHints: { enabled: true } };

/** What the client said it can do, reduced to the questions the features ask. */
export interface ClientSupport {
  snippets: boolean;
  configuration: boolean;
  configurationChangeRegistration: boolean;
  inlayHintRefresh: boolean;
  versionedWorkspaceEdits: boolean;
}

export function clientSupport(capabilities: ClientCapabilities): ClientSupport {
  return {
    snippets: capabilities.textDocument?.completion?.completionItem?.snippetSupport === true,
    configuration: capabilities.workspace?.configuration === true,
    configurationChangeRegistration: capabilities.workspace?.didChangeConfiguration?.dynamicRegistration === true,
    inlayHintRefresh: capabilities.workspace?.inlayHint?.refreshSupport === true,
    versionedWorkspaceEdits: capabilities.workspace?.workspaceEdit?.documentChanges === true,
  };
}

/**
 * The client's settings, pulled with workspace/configuration (section `convlab`) and cached until
 * the client says they changed; then the inlay hints are asked for again.
 */
export class SettingsCache {
  private pending: Promise<ServerSettings> | undefined;

  constructor(private readonly connection: Connection, private readonly support: () => ClientSupport) {}

  /** Called once the client is initialized: from then on settings may be requested. */
  listen(): void {
    if (this.support().configurationChangeRegistration) void this.connection.client.register(DidChangeConfigurationNotification.type, { section: 'convlab' });
    this.connection.onDidChangeConfiguration(() => {
      this.pending = undefined;
      if (this.support().inlayHintRefresh) void this.connection.languages.inlayHint.refresh();
    });
  }

  get(): Promise<ServerSettings> {
    if (!this.support().configuration) return Promise.resolve(DEFAULT_SETTINGS);
    this.pending ??= this.connection.workspace.getConfiguration({ section: 'convlab' }).then(readSettings, () => DEFAULT_SETTINGS);
    return this.pending;
  }
}

/** Reads what the client sent, keeping the default for anything missing or of the wrong type. */
function readSettings(raw: unknown): ServerSettings {
  const section = isRecord(raw) ? raw : {};
  const inlayHints = isRecord(section.inlayHints) ? section.inlayHints : {};
  return { inlayHints: { enabled: typeof inlayHints.enabled === 'boolean' ? inlayHints.enabled : DEFAULT_SETTINGS.inlayHints.enabled } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
