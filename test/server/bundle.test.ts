import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as esbuild from 'esbuild';
import {
  createProtocolConnection, ExitNotification, HoverRequest, InitializedNotification, InitializeRequest, PublishDiagnosticsNotification,
  ShutdownRequest, StreamMessageReader, StreamMessageWriter, DidOpenTextDocumentNotification, type MarkupContent, type PublishDiagnosticsParams,
} from 'vscode-languageserver/node';
import { positionAt, repoRoot, sample } from './harness';

/**
 * The server as the client runs it: one self-contained bundle in a process of its own. The bundle
 * is built here (as scripts/build.mjs builds dist/server.js) so this test never reads a stale dist/.
 */
test('the bundled server starts as its own process, answers over stdio and exits on request', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'convlab-server-'));
  try {
    const outfile = join(dir, 'server.js');
    await esbuild.build({ entryPoints: [join(repoRoot, 'src/server/main.ts')], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' });
    const child = spawn(process.execPath, [outfile, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    const published = new Promise<PublishDiagnosticsParams>((resolve) => connection.onNotification(PublishDiagnosticsNotification.type, resolve));
    connection.listen();

    const init = await connection.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities: {} });
    assert.equal(init.serverInfo?.name, 'convlab');
    await connection.sendNotification(InitializedNotification.type, {});
    const text = sample('lenet5.cnn');
    const uri = 'file:///lenet5.cnn';
    await connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'cnn', version: 1, text } });
    assert.deepEqual(await published, { uri, version: 1, diagnostics: [] });
    const hover = await connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: positionAt(text, 'C1:') });
    assert.match((hover!.contents as MarkupContent).value, /28×28×6/);

    await connection.sendRequest(ShutdownRequest.type);
    await connection.sendNotification(ExitNotification.type);
    assert.equal(await exited, 0);
    connection.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
