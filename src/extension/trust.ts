/**
 * Workspace trust (package.json `capabilities.untrustedWorkspaces`: limited). Language features
 * only read text and work everywhere; training and feature maps start the engine, which loads
 * TensorFlow packages it finds in the workspace (`node_modules`, `convlab.nativeModulesDir`) and
 * so could run code the workspace brought with it. The pytorch engine runs a Python, which could
 * be the workspace's own (`.venv/bin/python`) and imports whatever its path holds, so it is off
 * with the rest; `convlab.pythonPath` is a restricted setting besides (package.json): in
 * Restricted Mode VS Code ignores a workspace's value of it, as of `convlab.nodePath`.
 */
import * as vscode from 'vscode';

/** True when trusted; otherwise says why the action is refused, with a way to grant trust. */
export async function requireTrust(action: string): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  const manage = 'Manage Workspace Trust';
  const choice = await vscode.window.showWarningMessage(
    `ConvLab: ${action} is turned off in Restricted Mode. It starts the training engine, which loads TensorFlow packages found in this workspace's folders (or, for the pytorch engine, runs a Python that may be the workspace's own) and so could run code that came with the workspace. Trust the workspace to allow it; editing, shapes and diagrams work without trust.`,
    manage,
  );
  if (choice === manage) await vscode.commands.executeCommand('workbench.trust.manage');
  return false;
}
