/**
 * "Explain an image" for the model under the cursor or a code lens's model: the view opens on
 * the first test example; it has its own controls for another example, an image file and the
 * weights (the newest trained run's best, or the initial ones).
 */
import * as vscode from 'vscode';
import { COMMANDS } from '../../protocol/commands';
import type { ModelService } from '../lsp/client';
import { ExplainPanel, type ExplainDeps } from '../panels/explain-panel';
import { requireTrust } from '../trust';
import { resolveTarget } from './targets';

export const EXPLAIN_IMAGE_COMMAND = COMMANDS.explainImage;

export async function explainImageCommand(deps: ExplainDeps & { models: ModelService }, arg: unknown): Promise<void> {
  if (!(await requireTrust('Explain an image'))) return;
  const target = await resolveTarget(deps.models, arg);
  if (!target) return;
  if (target.document.uri.scheme !== 'file') {
    void vscode.window.showWarningMessage('ConvLab: explaining an image runs the engine on the saved file; save the model to disk first.');
    return;
  }
  if (target.document.isDirty) await target.document.save();
  ExplainPanel.show(deps, { uri: target.document.uri.toString(), model: target.model, sample: 0 });
}
