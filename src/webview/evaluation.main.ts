/**
 * The evaluation of a finished run (`convlab eval --json`): test accuracy, the confusion matrix,
 * per-class scores with the critical classes called out, the reliability diagram before and
 * after temperature scaling, and the most confident mistakes.
 */
import type { EvaluationReport } from '../protocol/evaluation';
import type { EvaluationFromView, EvaluationState, EvaluationToView } from '../protocol/webview';
import { connectBridge } from './shared/bridge';
import { formatPercent, formatValue } from './shared/format';
import { Tooltip } from './shared/tooltip';
import { renderClassTable, renderCritical } from './evaluation/class-table';
import { ConfusionMatrix } from './evaluation/confusion-matrix';
import { renderHeadline } from './evaluation/headline';
import { renderMistakes } from './evaluation/mistakes';
import { buildEvaluationPage } from './evaluation/page';
import { ReliabilityDiagram } from './evaluation/reliability-diagram';

const bridge = connectBridge<EvaluationToView, EvaluationFromView, EvaluationState>(['evaluating', 'report', 'error']);
const page = buildEvaluationPage();
const tooltip = new Tooltip();
const matrix = new ConfusionMatrix(page.matrix, tooltip);
const reliability = new ReliabilityDiagram(page.reliability, tooltip);
let state: EvaluationState | undefined = bridge.startState;
let renders = 0;

page.evaluate.addEventListener('click', () => bridge.post({ type: 'evaluate' }));
page.openRun.addEventListener('click', () => bridge.post({ type: 'openRun' }));
// A reload shows the saved report at once; the host sends it again when it has it.
if (state?.report) show(state.report);

bridge.listen((message) => {
  switch (message.type) {
    case 'evaluating':
      page.loading.hidden = false;
      page.error.hidden = true;
      page.empty.textContent = `Evaluating ${runName(message.runDir)} on its test split…`;
      page.evaluate.setAttribute('disabled', '');
      break;
    case 'report':
      show(message.report);
      break;
    case 'error':
      page.loading.hidden = true;
      page.evaluate.removeAttribute('disabled');
      page.error.hidden = false;
      page.error.textContent = `Could not evaluate ${runName(message.runDir)}: ${message.message}`;
      page.empty.hidden = !page.report.hidden;
      page.empty.textContent = 'No report to show.';
      break;
  }
});

function show(report: EvaluationReport): void {
  state = { runDir: report.runDir, report };
  bridge.saveState(state);
  page.loading.hidden = true;
  page.error.hidden = true;
  page.empty.hidden = true;
  page.report.hidden = false;
  page.evaluate.removeAttribute('disabled');
  page.title.textContent = `${report.model} · test accuracy ${formatPercent(report.accuracy)}`;
  page.source.textContent = `${runName(report.runDir)} · weights: ${report.weights}`;
  renderHeadline(page.headline, report);
  renderCritical(page.critical, report);
  matrix.update(report.confusion, report.classes);
  renderClassTable(page.classes, report);
  const { calibration } = report;
  page.calibrationCaption.textContent = `Temperature ${calibration.temperature.toFixed(3)} (fitted on the ${calibration.fittedOn}). ` +
    `ECE ${formatPercent(calibration.before.ece)} → ${formatPercent(calibration.after.ece)}, NLL ${formatValue(calibration.before.nll)} → ${formatValue(calibration.after.nll)} on the test split. ` +
    'Bars under the diagonal are over-confident.';
  reliability.update(calibration);
  renderMistakes(page.mistakes, report, (sample) => bridge.post({ type: 'explain', sample }));
  document.body.dataset.renders = String(++renders);
}

function runName(runDir: string): string {
  return runDir.split(/[\\/]/).filter(Boolean).pop() ?? runDir;
}
