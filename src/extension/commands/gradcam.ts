/**
 * Grad-CAM: for the model under the cursor (or a code lens's model) with its newest trained run,
 * or, from the evaluation view's mistakes, for a run's model and one of its test examples.
 */
import * as vscode from 'vscode';
import { GradCamPanel, type GradCamDeps } from '../panels/gradcam-panel';
import { describeRun, unusableRunReason } from '../runs/run-list';
import { requireTrust } from '../trust';
import { resolveTarget } from './targets';
import { COMMANDS } from '../../protocol/commands';

export const GRAD_CAM_COMMAND = COMMANDS.gradCam;

/** What the evaluation view passes: a run folder and a test example of it. */
interface RunExample {
  runDir: string;
  sample: number;
}

function isRunExample(value: unknown): value is RunExample {
  return typeof value === 'object' && value !== null && typeof (value as RunExample).runDir === 'string' && typeof (value as RunExample).sample === 'number';
}

export async function gradCamCommand(deps: GradCamDeps, arg: unknown): Promise<void> {
  if (!(await requireTrust('Grad-CAM'))) return;
  if (isRunExample(arg)) {
    const run = describeRun(arg.runDir);
    const why = unusableRunReason(run) ?? (run.file ? undefined : `${run.name}'s summary.json does not name its model file`);
    if (why || !run.file) {
      void vscode.window.showWarningMessage(`ConvLab: no Grad-CAM for ${arg.runDir}: ${why}.`);
      return;
    }
    GradCamPanel.show(deps, { uri: vscode.Uri.file(run.file).toString(), model: run.model, run: run.runDir, sample: arg.sample });
    return;
  }
  const target = await resolveTarget(deps.models, arg);
  if (!target) return;
  if (target.document.uri.scheme !== 'file') {
    void vscode.window.showWarningMessage('ConvLab: Grad-CAM runs the engine on the saved file; save the model to disk first.');
    return;
  }
  if (target.document.isDirty) await target.document.save();
  const sample = await askForInput();
  if (!sample) return;
  GradCamPanel.show(deps, { uri: target.document.uri.toString(), model: target.model, ...sample });
}

/** A test example by index (the first by default) or an image file. */
async function askForInput(): Promise<{ sample: number } | { image: string } | undefined> {
  const example = { label: '$(list-ordered) A test example of the dataset', detail: 'by its index in the test split', input: 'sample' as const };
  const file = { label: '$(file-media) An image file…', detail: 'PNG or JPEG, resized to the model\'s input', input: 'image' as const };
  const picked = await vscode.window.showQuickPick([example, file], { placeHolder: 'Explain the prediction for which input?' });
  if (!picked) return undefined;
  if (picked.input === 'image') {
    const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { Images: ['png', 'jpg', 'jpeg'] }, title: 'An image for the model to classify and explain' });
    return chosen?.[0] ? { image: chosen[0].fsPath } : undefined;
  }
  const index = await vscode.window.showInputBox({
    prompt: 'The index of a test example (0 is the first)', value: '0',
    validateInput: (text) => (/^\d+$/.test(text.trim()) ? undefined : 'a whole number, 0 or more'),
  });
  return index === undefined ? undefined : { sample: Number(index.trim()) };
}
