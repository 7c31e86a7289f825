import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { COMMAND_CATEGORY, COMMAND_TABLE } from '../../src/protocol/commands';
import { BACKEND_SETTINGS } from '../../src/extension/jobs/engine-command';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  main: string;
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: string | boolean } };
  contributes: {
    commands: { command: string; title: string; category?: string; icon?: string }[];
    configuration: { properties: Record<string, { enum?: string[] }> };
    languages: { id: string; configuration: string; icon: { light: string } }[];
    walkthroughs: { steps: { media: { markdown: string }; completionEvents: string[] }[] }[];
    snippets: { path: string }[];
  };
};

test('contributes.commands and the commands table in src/protocol/commands.ts are the same set, with the same titles and icons', () => {
  const contributed = pkg.contributes.commands.map((c) => ({ id: c.command, title: c.title, category: c.category, icon: c.icon })).sort((a, b) => a.id.localeCompare(b.id));
  const table = Object.values(COMMAND_TABLE).filter((c) => c.contributed)
    .map((c) => ({ id: c.id, title: c.title, category: COMMAND_CATEGORY, icon: 'icon' in c ? c.icon : undefined }))
    .sort((a, b) => a.id.localeCompare(b.id));
  assert.deepEqual(contributed, table);
});

test('the views of evaluation, Grad-CAM and Explain activate the extension; the service settings exist', () => {
  for (const view of ['convlab.evaluation', 'convlab.gradCam', 'convlab.explain']) assert.ok(pkg.activationEvents.includes(`onWebviewPanel:${view}`), view);
  assert.ok(pkg.contributes.configuration.properties['convlab.service.port']);
  assert.ok(pkg.contributes.configuration.properties['convlab.service.referBelow']);
});

test('the settings the brief names exist, the backend enum matches the engine command builder', () => {
  const properties = pkg.contributes.configuration.properties;
  for (const name of ['nodePath', 'backend', 'dataDir', 'nativeModulesDir', 'inlayHints.enabled', 'maxConcurrentJobs', 'trainLimit', 'runsDir']) {
    assert.ok(properties[`convlab.${name}`], `convlab.${name}`);
  }
  assert.deepEqual(properties['convlab.backend']!.enum, [...BACKEND_SETTINGS]);
});

test('files the manifest points at exist; trust is limited, not refused', () => {
  const language = pkg.contributes.languages[0]!;
  for (const path of [language.configuration, language.icon.light, pkg.contributes.snippets[0]!.path, ...pkg.contributes.walkthroughs[0]!.steps.map((s) => s.media.markdown)]) {
    assert.ok(existsSync(join(root, path)), path);
  }
  assert.equal(pkg.main, './dist/extension.js');
  assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
  for (const view of ['convlab.architecture', 'convlab.dashboard', 'convlab.featureMaps']) assert.ok(pkg.activationEvents.includes(`onWebviewPanel:${view}`), view);
});

test('every run-time file the .vsix allow-list names is installed (a TensorFlow.js upgrade that moves one fails here)', () => {
  const kept = readFileSync(join(root, '.vscodeignore'), 'utf8').split('\n').filter((l) => l.startsWith('!node_modules/') && !l.includes('*'));
  assert.ok(kept.length > 10);
  for (const line of kept) assert.ok(existsSync(join(root, line.slice(1))), line);
  for (const name of ['tfjs', 'tfjs-core', 'tfjs-layers', 'tfjs-converter', 'tfjs-data', 'tfjs-backend-cpu', 'tfjs-backend-webgl', 'tfjs-backend-wasm']) {
    const main = (JSON.parse(readFileSync(join(root, 'node_modules', '@tensorflow', name, 'package.json'), 'utf8')) as { main: string }).main;
    assert.ok(kept.includes(`!node_modules/@tensorflow/${name}/${main}`), `@tensorflow/${name}'s main ${main} is kept`);
  }
});
