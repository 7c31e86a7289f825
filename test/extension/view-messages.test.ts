import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readViewMessage } from '../../src/extension/panels/view-messages';
import { DashboardFromViewSchema, EvaluationFromViewSchema, GradCamFromViewSchema } from '../../src/protocol/webview';

test('a webview message is checked against its view\'s schema: ready, a command, or an error that says what and where', () => {
  assert.deepEqual(readViewMessage('dashboard', DashboardFromViewSchema, { type: 'ready' }), { kind: 'ready' });
  assert.deepEqual(readViewMessage('dashboard', DashboardFromViewSchema, { type: 'evaluate', runDir: '/runs/M-1' }), { kind: 'message', message: { type: 'evaluate', runDir: '/runs/M-1' } });

  const corrupted = readViewMessage('dashboard', DashboardFromViewSchema, { type: 'openRun', runDir: 42 });
  assert.equal(corrupted.kind, 'invalid');
  if (corrupted.kind === 'invalid') assert.match(corrupted.error, /^the dashboard view sent a message the host does not take: at runDir: .*expected string.*"runDir":42/);

  const unknown = readViewMessage('evaluation', EvaluationFromViewSchema, { type: 'deleteEverything' });
  assert.ok(unknown.kind === 'invalid' && /at type: /.test(unknown.error));
  const negative = readViewMessage('grad-cam', GradCamFromViewSchema, { type: 'request', sample: -1 });
  assert.ok(negative.kind === 'invalid' && /at sample: /.test(negative.error));
  for (const junk of [null, 'ready', 7, []]) assert.equal(readViewMessage('dashboard', DashboardFromViewSchema, junk).kind, 'invalid');

  // The connection goes on: the next good message is read as usual.
  assert.equal(readViewMessage('dashboard', DashboardFromViewSchema, { type: 'cancel', runDir: '/runs/M-1' }).kind, 'message');
});
