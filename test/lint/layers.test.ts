import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ESLint } from 'eslint';

// The real lint configuration (eslint.config.mjs) on imports that break DESIGN.md's layers, at
// the depths the old one-folder-up patterns missed, and on the allowed ones beside them.
const root = join(__dirname, '..', '..');
const eslint = new ESLint({ cwd: root });

async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return result!.messages.filter((m) => m.ruleId === 'import-x/no-restricted-paths').map((m) => m.message);
}

test('the layering rule rejects the imports the review found passing lint', async () => {
  const forbidden: [string, string, RegExp][] = [
    ['src/extension/jobs/uses-tf.ts', "import { tf } from '../../engine/backends/tf';\nexport const t = tf;\n", /src\/extension may import only src\/protocol/],
    ['src/server/trains.ts', "import { train } from '../engine/training/trainer';\nexport const t = train;\n", /src\/server may import only src\/language, src\/protocol/],
    ['src/engine/data/uses-cli.ts', "import { runTrain } from '../../cli/train';\nexport const t = runTrain;\n", /src\/engine may import only src\/language, src\/protocol/],
    ['src/protocol/uses-language.ts', "import { analyze } from '../language/passes/analyze';\nexport const t = analyze;\n", /src\/protocol may import only nothing of ours/],
  ];
  for (const [file, code, message] of forbidden) {
    const errors = await layerErrors(file, code);
    assert.equal(errors.length, 1, `${file}: ${errors.join('; ')}`);
    assert.match(errors[0]!, message);
  }
});

test('imports the layers allow pass', async () => {
  assert.deepEqual(await layerErrors('src/engine/data/uses-language.ts', "import { analyze } from '../../language/passes/analyze';\nexport const t = analyze;\n"), []);
  assert.deepEqual(await layerErrors('src/extension/jobs/uses-protocol.ts', "import { COMMANDS } from '../../protocol/commands';\nexport const t = COMMANDS;\n"), []);
});
