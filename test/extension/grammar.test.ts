import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ACTIVATIONS, LAYERS } from '../../src/language/passes/layer-catalogue';

// The TextMate grammar's patterns also read as JavaScript regular expressions (they use nothing
// Oniguruma-only), which lets this test tokenise a line the way VS Code colours it.
interface Rule { name?: string; match?: string; include?: string; captures?: Record<string, { name: string }> }
const grammar = JSON.parse(readFileSync(join(__dirname, '..', '..', 'syntaxes', 'cnn.tmLanguage.json'), 'utf8')) as { scopeName: string; repository: Record<string, { patterns?: Rule[] } & Rule> };

function rules(): Rule[] {
  const flat: Rule[] = [];
  const visit = (rule: Rule) => {
    if (rule.include) {
      const entry = grammar.repository[rule.include.slice(1)]!;
      (entry.patterns ?? [entry]).forEach(visit);
    } else if (rule.match) {
      flat.push(rule);
    }
  };
  [{ include: '#comment' }, { include: '#declaration' }, { include: '#statement' }].forEach(visit);
  return flat;
}

/** Scopes of the words of a line, leftmost-longest as TextMate takes the first rule that matches earliest. */
function scopes(line: string): Record<string, string> {
  const found: Record<string, string> = {};
  let at = 0;
  const compiled = rules().map((rule) => ({ rule, regex: new RegExp(rule.match!, 'gu') }));
  while (at < line.length) {
    let best: { index: number; match: RegExpExecArray; rule: Rule } | undefined;
    for (const { rule, regex } of compiled) {
      regex.lastIndex = at;
      const match = regex.exec(line);
      if (match && (!best || match.index < best.index)) best = { index: match.index, match, rule };
    }
    if (!best) break;
    if (best.rule.name) found[best.match[0].trim()] = best.rule.name;
    for (const [group, capture] of Object.entries(best.rule.captures ?? {})) {
      const text = best.match[Number(group)];
      if (text) found[text] = capture.name;
    }
    at = best.index + Math.max(1, best.match[0].length);
  }
  return found;
}

test('every layer and activation of the catalogue is coloured as one', () => {
  const statement = grammar.repository.statement!.patterns!;
  const layerRule = new RegExp(statement.find((r) => r.name === 'support.function.layer.cnn')!.match!);
  const activationRule = new RegExp(statement.find((r) => r.name === 'support.function.activation.cnn')!.match!);
  for (const layer of LAYERS) assert.ok(layerRule.test(layer.op) || activationRule.test(layer.op), `${layer.op} is not in the grammar`);
  for (const name of Object.keys(ACTIVATIONS)) assert.ok(activationRule.test(name), `${name} is not in the grammar`);
});

test('a layer line: label, op, numbers, size, parameter, flag and activation', () => {
  assert.deepEqual(scopes('  C1: conv 6 5x5 pad 2 same relu   # the first layer'), {
    C1: 'entity.name.tag.label.cnn', ':': 'punctuation.separator.label.cnn', conv: 'support.function.layer.cnn', 6: 'constant.numeric.cnn',
    '5x5': 'constant.numeric.size.cnn', pad: 'variable.parameter.cnn', 2: 'constant.numeric.cnn', same: 'constant.language.flag.cnn',
    relu: 'support.function.activation.cnn', '# the first layer': 'comment.line.number-sign.cnn',
  });
});

test('declarations, control words, block calls and train settings', () => {
  assert.equal(scopes('model LeNet5 {').LeNet5, 'entity.name.type.model.cnn');
  assert.equal(scopes('block basic(f, s = 1) {').basic, 'entity.name.function.block.cnn');
  const residual = scopes('  layer1: repeat 2 { basic(64) }');
  assert.equal(residual.repeat, 'keyword.control.cnn');
  assert.equal(residual.basic, 'entity.name.function.call.cnn');
  assert.equal(residual.layer1, 'entity.name.tag.label.cnn');
  assert.equal(scopes('  optimizer adam lr 0.001').optimizer, 'keyword.other.setting.cnn');
  assert.equal(scopes('  { maxpool 3x3 stride 1 same; conv pp 1x1 relu }').stride, 'variable.parameter.cnn');
});

test('split, and/or/not and the input\'s shape are coloured', () => {
  const line = scopes('  if s == 1 and not in.c == out { split { { } { } } }');
  assert.equal(line.split, 'keyword.control.cnn');
  assert.equal(line.and, 'keyword.operator.logical.cnn');
  assert.equal(line.not, 'keyword.operator.logical.cnn');
  assert.equal(line.in, 'variable.language.input.cnn');
  assert.equal(line.c, 'variable.other.property.cnn');
});

test('the grammar names its scope as package.json says', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { contributes: { grammars: { scopeName: string }[] } };
  assert.equal(grammar.scopeName, pkg.contributes.grammars[0]!.scopeName);
});
