/**
 * Every command ConvLab registers, once: the extension registers them from here, the server's
 * code lenses name them from here, and a test holds package.json's `contributes.commands` to
 * the `contributed` ones (id, title, icon).
 */
export const COMMAND_TABLE = {
  train: { id: 'convlab.train', title: 'Train', icon: '$(play)', contributed: true },
  stopTraining: { id: 'convlab.stopTraining', title: 'Stop training', icon: '$(debug-stop)', contributed: true },
  showArchitecture: { id: 'convlab.showArchitecture', title: 'Show architecture', icon: '$(type-hierarchy-sub)', contributed: true },
  showFeatureMaps: { id: 'convlab.showFeatureMaps', title: 'Show feature maps', icon: '$(symbol-color)', contributed: true },
  showSummary: { id: 'convlab.showSummary', title: 'Show summary', icon: '$(table)', contributed: true },
  openAsPytorch: { id: 'convlab.openAsPytorch', title: 'Open as PyTorch', icon: '$(code)', contributed: true },
  openRun: { id: 'convlab.openRun', title: 'Open run\u2026', icon: '$(graph-line)', contributed: true },
  openSample: { id: 'convlab.openSample', title: 'Open the LeNet-5 sample', contributed: true },
  showLog: { id: 'convlab.showLog', title: 'Show log', contributed: true },
  showRunningDashboard: { id: 'convlab.showRunningDashboard', title: "Show the running job's dashboard", contributed: true },
  evaluateRun: { id: 'convlab.evaluateRun', title: 'Evaluate run\u2026', icon: '$(checklist)', contributed: true },
  showGradientFlow: { id: 'convlab.showGradientFlow', title: 'Show gradient flow\u2026', icon: '$(pulse)', contributed: true },
  gradCam: { id: 'convlab.gradCam', title: 'Grad-CAM: where the model looks', icon: '$(eye)', contributed: true },
  explainImage: { id: 'convlab.explainImage', title: 'Explain an image', icon: '$(microscope)', contributed: true },
  startPredictionService: { id: 'convlab.startPredictionService', title: 'Start prediction service\u2026', icon: '$(radio-tower)', contributed: true },
  stopPredictionService: { id: 'convlab.stopPredictionService', title: 'Stop prediction service', icon: '$(debug-stop)', contributed: true },
  /** The prediction service's status-bar item: a quick pick of its actions, not in the palette. */
  predictionServiceActions: { id: 'convlab.predictionServiceActions', title: 'Prediction service actions', contributed: false },
} as const;

export type CommandName = keyof typeof COMMAND_TABLE;
export type CommandId = (typeof COMMAND_TABLE)[CommandName]['id'];

/** Command ids by name: `COMMANDS.train` is `'convlab.train'`. */
export const COMMANDS = Object.fromEntries(Object.entries(COMMAND_TABLE).map(([name, command]) => [name, command.id])) as {
  readonly [K in CommandName]: (typeof COMMAND_TABLE)[K]['id'];
};

/** The category every contributed command shows under in the palette. */
export const COMMAND_CATEGORY = 'ConvLab';
