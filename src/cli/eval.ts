import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateRun, type EvaluateRunOptions } from '../engine/evaluation/run-evaluation';
import { CALIBRATION_FILE, type RunCalibration } from '../protocol/calibration-file';
import type { EvaluationReport } from '../protocol/evaluation';
import { table } from './format';

/** `convlab eval RUN`: the test split's accuracy, confusion matrix, per-class scores and calibration. */
export async function runEval(runDir: string, options: EvaluateRunOptions, json: boolean, out: (text: string) => void): Promise<number> {
  const report = await evaluateRun(runDir, options);
  // The fitted temperature stays with the run, for the views that show its probabilities.
  if (report.calibration.fittedOn === 'validation split') {
    const calibration: RunCalibration = { temperature: report.calibration.temperature, fittedOn: report.calibration.fittedOn };
    writeFileSync(join(runDir, CALIBRATION_FILE), `${JSON.stringify(calibration, null, 2)}\n`);
  }
  out(json ? JSON.stringify(report) : describe(report));
  return 0;
}

const percent = (x: number) => `${(x * 100).toFixed(2)}%`;

function describe(report: EvaluationReport): string {
  const names = report.classes;
  const confusion = table(
    [{ title: 'true \\ predicted', align: 'left' }, ...names.map((n) => ({ title: n, align: 'right' as const }))],
    report.confusion.map((row, c) => [names[c]!, ...row.map(String)]),
  );
  const scores = table(
    [{ title: 'class', align: 'left' }, { title: 'precision', align: 'right' }, { title: 'recall', align: 'right' }, { title: 'F1', align: 'right' }, { title: 'support', align: 'right' }],
    report.perClass.map((c) => [c.name, percent(c.precision), percent(c.recall), c.f1.toFixed(3), String(c.support)]),
  );
  const { calibration } = report;
  const worst = report.worst.map((m) => `  test example ${m.index}${m.file ? ` (${m.file})` : ''}: a ${m.label} taken for a ${m.predicted} (calibrated confidence ${percent(m.confidence)})`);
  return [
    `${report.model} · ${report.weights}`,
    `Test accuracy: ${percent(report.accuracy)} on ${report.examples.toLocaleString('en-US')} examples (${report.testData})`,
    '', 'Confusion matrix', confusion, '', 'Per class', scores, '',
    `Calibration: temperature ${calibration.temperature.toFixed(3)} (fitted on the ${calibration.fittedOn}); on the test split ECE ${percent(calibration.before.ece)} → ${percent(calibration.after.ece)}, NLL ${calibration.before.nll.toFixed(4)} → ${calibration.after.nll.toFixed(4)}`,
    ...report.critical.map((c) => `Critical class ${c.name}: sensitivity ${percent(c.sensitivity)} (${c.missed} of ${c.support} missed)`),
    ...(worst.length > 0 ? ['', 'Most confident mistakes', ...worst] : []),
  ].join('\n');
}
