import { readFileSync } from 'node:fs';
import { analyze, hasErrors, type Analysis } from '../language/passes/analyze';
import { totals, type ModelGraph } from '../language/layer-graph';
import { formatShape } from '../language/passes/ops';
import { trainingStages } from '../language/passes/stages';
import { layerNames, layerType, summarize } from '../language/passes/summarize';
import { formatDiagnostics } from './diagnostics';
import { bytes, metric, table, thousands } from './format';
import { CliError } from './errors';
import { baseModelReader } from '../engine/model/base-location';
import { stateDictReader } from '../engine/pytorch/state-header';

export interface SummaryOptions {
  model?: string;
  json?: boolean;
}

/** `convlab summary FILE`: exit code 1 when the file has errors. */
export function runSummary(file: string, options: SummaryOptions, out: (text: string) => void): number {
  const analysis = analyze(readModelFile(file), { readBaseModel: baseModelReader(file), readStateDict: stateDictReader(file) });
  const models = options.model ? analysis.models.filter((m) => m.name === options.model) : analysis.models;
  if (options.model && models.length === 0) {
    throw new CliError(`${file}: no model named '${options.model}' (models: ${analysis.models.map((m) => m.name).join(', ') || 'none'})`);
  }
  if (options.json) {
    const json = summarize(analysis, file);
    json.models = json.models.filter((m) => models.some((g) => g.name === m.name));
    out(JSON.stringify(json, null, 2));
  } else {
    for (const model of models) out(modelTable(model, analysis));
    const messages = formatDiagnostics(analysis, file);
    if (messages.length > 0) out(messages.join('\n'));
  }
  return hasErrors(analysis) ? 1 : 0;
}

export function readModelFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`${file}: cannot read the model file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

function modelTable(graph: ModelGraph, analysis: Analysis): string {
  const names = layerNames(graph);
  const rows = graph.nodes.map((node) => {
    const depth = '  '.repeat(node.scope.length);
    const { line } = analysis.lines.position(node.span.start);
    return [
      `${depth}${names[node.id]} (${layerType(node)})`,
      formatShape(node.outputShape),
      thousands(node.params.trainable + node.params.nonTrainable),
      node.macs > 0 ? metric(node.macs) : '--',
      node.outputShape?.length === 3 ? `${node.receptiveField[0]}×${node.receptiveField[1]}` : '',
      String(line + 1),
    ];
  });
  const sum = totals(graph);
  const input = graph.nodes[0]?.outputShape;
  const inputBytes = input ? input.reduce((a, b) => a * b, 1) * 4 : 0;
  const outputs = graph.outputs.length > 1 ? `\nOutputs: ${graph.outputs.map((o) => `${o.name} = ${names[o.node]} (loss weight ${o.lossWeight})`).join(', ')}` : '';
  return [
    `Model: ${graph.name}`,
    table(
      [
        { title: 'Layer (type)', align: 'left' },
        { title: 'Output shape', align: 'left' },
        { title: 'Param #', align: 'right' },
        { title: 'Mult-adds', align: 'right' },
        { title: 'RF', align: 'right' },
        { title: 'Line', align: 'right' },
      ],
      rows,
    ),
    `Total params: ${thousands(sum.params.total)} (${bytes(sum.parameterBytes)})`,
    `Trainable params: ${thousands(sum.params.trainable)}`,
    `Non-trainable params: ${thousands(sum.params.nonTrainable)}`,
    `Mult-adds: ${metric(sum.macs)} per example`,
    `Input size: ${bytes(inputBytes)}; activations: ${bytes(sum.activationBytes)} per example (forward pass)${outputs}`,
    ...stageLines(graph, analysis),
    '',
  ].join('\n');
}

/** With `finetune`, what trains in each stage of transfer learning. */
function stageLines(graph: ModelGraph, analysis: Analysis): string[] {
  const spec = analysis.trains.find((t) => t.model === graph.name);
  if (!spec?.finetune) return [];
  return trainingStages(graph, spec).map((stage, i) =>
    `Stage ${i + 1} (${stage.name}, ${stage.epochs} epochs at learning rate ${stage.learningRate}): ${thousands(stage.params.trainable)} trainable, ${thousands(stage.params.nonTrainable)} non-trainable`);
}
