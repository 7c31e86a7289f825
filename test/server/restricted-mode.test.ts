import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { WORKSPACE_TRUSTED_NOTIFICATION } from '../../src/protocol/lsp';
import { TestClient } from './harness';

// A loopback server standing in for a model zoo: it counts every request the language server makes.
async function countingServer(): Promise<{ url: string; requests: () => number; close: () => void }> {
  let requests = 0;
  const server = createServer((_request, response) => {
    requests++;
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/mobilenet/model.json`, requests: () => requests, close: () => server.close() };
}

const model = (url: string) => `model T {\n  input 160x160x3\n  base: pretrained "${url}" until out_relu freeze all\n  globalavgpool\n  dense 2 softmax\n}\n`;

test('Restricted Mode: a pretrained URL causes no request and the line says why its base is not loaded; trusting fetches it', async () => {
  const zoo = await countingServer();
  const client = await TestClient.start({ initializationOptions: { workspaceTrusted: false } });
  try {
    const uri = await client.open(model(zoo.url));
    const published = await client.diagnosticsFor(uri, (p) => p.diagnostics.length > 0);
    const message = published.diagnostics.map((d) => d.message).join('\n');
    assert.match(message, /cannot read the pretrained base http:\/\/127\.0\.0\.1:\d+\/mobilenet\/model\.json: not fetched in Restricted Mode/);
    // Edits analyse the document again: still nothing reaches the network.
    await client.change(uri, `${model(zoo.url)}\n`);
    await client.diagnosticsFor(uri, (p) => p.version === 2);
    assert.equal(zoo.requests(), 0);

    await client.connection.sendNotification(WORKSPACE_TRUSTED_NOTIFICATION);
    const fetched = await client.diagnosticsFor(uri, (p) => p.diagnostics.some((d) => /answered 404/.test(String(d.message))), 5000);
    assert.ok(fetched);
    assert.equal(zoo.requests(), 1);
  } finally {
    client.dispose();
    zoo.close();
  }
});

test('a trusted workspace (or a client outside VS Code, which says nothing) fetches the URL', async () => {
  const zoo = await countingServer();
  const client = await TestClient.start();
  try {
    const uri = await client.open(model(zoo.url));
    await client.diagnosticsFor(uri, (p) => p.diagnostics.some((d) => /answered 404/.test(String(d.message))), 5000);
    assert.equal(zoo.requests(), 1);
  } finally {
    client.dispose();
    zoo.close();
  }
});
