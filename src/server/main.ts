// The language server's process: the client starts this bundle (dist/server.js) as a Node module
// over IPC; `--stdio` works too, which is how the tests run the built bundle.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

startServer(createConnection(ProposedFeatures.all));
