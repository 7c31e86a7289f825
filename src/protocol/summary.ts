/**
 * The schema of `convlab summary --json`: stable, documented in docs/cli.md.
 * Shapes exclude the batch dimension; ranges are 0-based as in LSP.
 */
export interface JsonPosition {
  line: number;
  character: number;
}

export interface JsonRange {
  start: JsonPosition;
  end: JsonPosition;
}

export interface SummaryLayer {
  name: string;
  type: string;
  /** `[28, 28, 6]`; null where an error left it unknown. */
  outputShape: number[] | null;
  params: number;
  trainableParams: number;
  macs: number;
  receptiveField: [number, number];
  range: JsonRange;
  /** Convolutions only: their input shape, and the parameters of a dense layer joining the same input and output volumes. */
  denseEquivalent?: { inputShape: number[]; params: number };
}

export interface SummaryModel {
  name: string;
  params: { total: number; trainable: number; nonTrainable: number };
  macs: number;
  /**
   * Multiply-adds of one training step per example: the forward pass, the weight gradients of
   * trainable layers and the activation gradients after the first of them (a frozen base needs
   * neither). About 3 × macs for a model that trains all through.
   */
  trainingMacs: number;
  /** Training examples an epoch, where the train section makes it knowable (built-in datasets, limit). */
  trainExamples?: number;
  activationBytes: number;
  outputs: { name: string; layer: string; lossWeight: number }[];
  layers: SummaryLayer[];
  /** With `finetune` in its train section: what trains in each stage of transfer learning. */
  stages?: { name: 'train' | 'fine-tune'; epochs: number; learningRate: number; params: { total: number; trainable: number; nonTrainable: number } }[];
}

export interface SummaryDiagnostic {
  severity: 'error' | 'warning' | 'info';
  code: string;
  message: string;
  hint?: string;
  range: JsonRange;
}

export interface SummaryJson {
  file: string;
  models: SummaryModel[];
  diagnostics: SummaryDiagnostic[];
}
