import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { ENGINE_SETTINGS } from '../../src/extension/jobs/engine-command';

/**
 * VS Code Remote (SSH, containers, WSL) and code-server split the extension host (where the
 * workspace is) from the UI (the laptop, the browser). docs/remote.md. What can be checked without
 * a second machine is checked here; the real-VS-Code suite (code-server) runs the split itself.
 */
const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  extensionKind?: string[];
  capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
  contributes: { configuration: { properties: Record<string, { enum?: string[]; scope?: string; default?: unknown }> } };
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? sources(path) : entry.endsWith('.ts') ? [path] : [];
  });
}

test('the extension runs where the workspace is, so the language server and the engine do too', () => {
  assert.deepEqual(pkg.extensionKind, ['workspace']);
});

test('convlab.engine and convlab.pythonPath: the engine enum is the command builder\'s; the Python is per machine and ignored in Restricted Mode', () => {
  const properties = pkg.contributes.configuration.properties;
  assert.deepEqual(properties['convlab.engine']!.enum, [...ENGINE_SETTINGS]);
  assert.equal(properties['convlab.engine']!.default, 'auto');
  assert.equal(properties['convlab.pythonPath']!.scope, 'machine-overridable');
  for (const name of ['convlab.nodePath', 'convlab.nativeModulesDir', 'convlab.pythonPath']) {
    assert.ok(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations.includes(name), name);
  }
});

test('every webview page is made in one place, loadView, from asWebviewUri values only', () => {
  const extension = join(root, 'src', 'extension');
  const setsHtml = sources(extension).filter((file) => /\.html\s*=(?!=)/.test(readFileSync(file, 'utf8'))).map((f) => relative(extension, f));
  assert.deepEqual(setsHtml, [join('panels', 'webview-setup.ts')]);
  const setup = readFileSync(join(extension, 'panels', 'webview-setup.ts'), 'utf8');
  const call = /webview\.html = webviewHtml\(\{([\s\S]*?)\}\);/.exec(setup)?.[1];
  assert.ok(call, 'loadView sets webview.html from webviewHtml({...})');
  assert.match(setup, /const asUri = \(\.\.\.path: string\[\]\) => webview\.asWebviewUri\(vscode\.Uri\.joinPath\(extensionUri, \.\.\.path\)\)\.toString\(\);/);
  // The page's URLs: each is an asUri(...) call, so none can be a path of the extension's machine.
  assert.match(call, /scriptUri: asUri\('dist', 'webview', `\$\{bundle\}\.js`\),/);
  assert.match(call, /styleUris: \[asUri\('media', 'webview\.css'\), asUri\('media', `\$\{bundle\}\.css`\)\],/);
  assert.match(call, /cspSource: webview\.cspSource,/);
});

test('the views and their styles name no local path: no file: URL, no url() outside the stylesheet\'s folder', () => {
  const files = [...sources(join(root, 'src', 'webview')), ...readdirSync(join(root, 'media')).filter((f) => f.endsWith('.css')).map((f) => join(root, 'media', f))];
  assert.ok(files.length > 10);
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    assert.ok(!/file:\/\//.test(text), `${relative(root, file)} names a file: URL`);
    assert.ok(!/vscode-resource:/.test(text), `${relative(root, file)} builds a resource URI by hand`);
    for (const [, url] of text.matchAll(/url\(\s*['"]?([^'")]+)/g)) assert.ok(url!.startsWith('data:') || url!.startsWith('#') || !/^(\/|[a-z]+:)/i.test(url!), `${relative(root, file)}: url(${url})`);
  }
});
