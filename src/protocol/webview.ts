/**
 * Messages between the extension host and each webview, typed per view as GitLens does:
 * host → view are notifications, view → host are commands. Both sides import these types;
 * webviews never see anything else of the host. What a view sends is declared as a schema,
 * because the host checks it where it arrives (ViewConnection): a view is a web page.
 */
import { z } from 'zod';
import type { EngineEvent, GradientFlowEvent } from './engine';
import type { EvaluationReport } from './evaluation';
import type { ExplainFlow, UnitExplanation } from './explain';
import type { GradCamResult } from './gradcam';
import type { GraphJson } from './graph';
import type { InspectResult } from './inspect';
import type { SampleInput } from './sample-input';

/** Every view says it is ready before the host sends it anything. */
export const ReadyMessageSchema = z.object({ type: z.literal('ready') });
export type ReadyMessage = z.infer<typeof ReadyMessageSchema>;

const JsonPositionSchema = z.object({ line: z.number().int().nonnegative(), character: z.number().int().nonnegative() });
const JsonRangeSchema = z.object({ start: JsonPositionSchema, end: JsonPositionSchema });
const exampleIndex = z.number().int().nonnegative();

// ---- architecture diagram ------------------------------------------------------------------

export type ArchitectureToView =
  | { type: 'graph'; graph: GraphJson; hasErrors: boolean; fileName: string }
  /** Node ids made by the statement under the editor's cursor. */
  | { type: 'highlight'; nodeIds: number[] }
  /** An example of the model's dataset to draw under the receptive field, or why there is none. */
  | { type: 'sampleInput'; model: string; sample: SampleInput };

export const ArchitectureFromViewSchema = z.discriminatedUnion('type', [
  ReadyMessageSchema,
  z.object({ type: z.literal('reveal'), range: JsonRangeSchema }),
  /** `data`: SVG text, or a PNG data URL. */
  z.object({ type: z.literal('export'), format: z.enum(['svg', 'png']), data: z.string() }),
]);
export type ArchitectureFromView = z.infer<typeof ArchitectureFromViewSchema>;

export interface ArchitectureState {
  uri: string;
  model: string;
  /** d3-zoom transform, kept across updates and reloads. */
  transform?: { x: number; y: number; k: number };
  collapsed?: string[];
}

// ---- training dashboard --------------------------------------------------------------------

export interface RunHistory {
  /** The run folder's name, shown in the legend. */
  name: string;
  runDir: string;
  events: EngineEvent[];
}

export type DashboardToView =
  /** The whole history of the current run (on open and after a reload), then one event at a time. */
  | { type: 'run'; run: RunHistory }
  | { type: 'event'; runDir: string; event: EngineEvent }
  /** Earlier runs to overlay. */
  | { type: 'overlay'; runs: RunHistory[] };

export const DashboardFromViewSchema = z.discriminatedUnion('type', [
  ReadyMessageSchema,
  z.object({ type: z.literal('openRun'), runDir: z.string() }),
  z.object({ type: z.literal('cancel'), runDir: z.string() }),
  /** A finished run: its confusion matrix, per-class scores and calibration, in the evaluation view. */
  z.object({ type: z.literal('evaluate'), runDir: z.string() }),
  /** Each layer's gradient norm, update ratio and dead units over the run, in the gradient-flow view. */
  z.object({ type: z.literal('gradientFlow'), runDir: z.string() }),
  /** The curves for a report: the charts as SVG text or a PNG data URL, or the epochs as CSV. */
  z.object({ type: z.literal('export'), runDir: z.string(), format: z.enum(['svg', 'png', 'csv']), data: z.string() }),
]);
export type DashboardFromView = z.infer<typeof DashboardFromViewSchema>;

export interface DashboardState {
  runDir: string;
  overlay?: string[];
}

// ---- filters and feature maps --------------------------------------------------------------

export type FeatureMapsToView =
  | { type: 'inspect'; result: InspectResult }
  | { type: 'layers'; layers: string[]; current: string }
  | { type: 'error'; message: string };

export const FeatureMapsFromViewSchema = z.discriminatedUnion('type', [
  ReadyMessageSchema,
  z.object({ type: z.literal('request'), layer: z.string(), sample: exampleIndex.optional(), image: z.string().optional() }),
  z.object({ type: z.literal('pickImage') }),
]);
export type FeatureMapsFromView = z.infer<typeof FeatureMapsFromViewSchema>;

export interface FeatureMapsState {
  uri: string;
  model: string;
  layer: string;
  run?: string;
  sample?: number;
}

// ---- evaluation of a finished run ----------------------------------------------------------

export type EvaluationToView =
  /** `convlab eval` is running on this run folder. */
  | { type: 'evaluating'; runDir: string }
  | { type: 'report'; report: EvaluationReport }
  | { type: 'error'; runDir: string; message: string };

export const EvaluationFromViewSchema = z.discriminatedUnion('type', [
  ReadyMessageSchema,
  /** Run the evaluation again (after more training, or after an error was fixed). */
  z.object({ type: z.literal('evaluate') }),
  /** Open the run's training dashboard. */
  z.object({ type: z.literal('openRun') }),
  /** Grad-CAM of a test example (a mistake in the list) with this run's weights. */
  z.object({ type: z.literal('explain'), sample: exampleIndex }),
]);
export type EvaluationFromView = z.infer<typeof EvaluationFromViewSchema>;

export interface EvaluationState {
  runDir: string;
  /** Kept so a reload shows the report without evaluating again. */
  report?: EvaluationReport;
}

// ---- Grad-CAM ------------------------------------------------------------------------------

export interface GradCamLayer {
  name: string;
  type: string;
  /** [h, w, c] */
  outputShape: number[];
}

export type GradCamToView =
  /** The layers with maps to explain; `current` is undefined for the engine's default (the last). */
  | { type: 'layers'; layers: GradCamLayer[]; current?: string }
  | { type: 'loading' }
  | { type: 'result'; result: GradCamResult }
  | { type: 'error'; message: string };

export const GradCamFromViewSchema = z.discriminatedUnion('type', [
  ReadyMessageSchema,
  /** Explain again with other choices; a field left out keeps the engine's default (last layer, predicted class). */
  z.object({
    type: z.literal('request'), layer: z.string().optional(), classIndex: z.number().int().nonnegative().optional(),
    sample: exampleIndex.optional(), image: z.string().optional(),
  }),
  z.object({ type: z.literal('pickImage') }),
]);
export type GradCamFromView = z.infer<typeof GradCamFromViewSchema>;

export interface GradCamState {
  uri: string;
  model: string;
  /** The run whose weights are explained; the newest trained run of the model when left out. */
  run?: string;
  layer?: string;
  classIndex?: number;
  sample?: number;
  image?: string;
  /** The heat map's opacity over the image, 0 to 1. */
  opacity?: number;
}

// ---- explain an image ----------------------------------------------------------------------

export type ExplainToView =
  /** An input's way through the model: the columns and the prediction. */
  | { type: 'flow'; flow: ExplainFlow }
  /** The sum behind the value the user clicked. */
  | { type: 'unit'; unit: UnitExplanation }
  | { type: 'loading' }
  | { type: 'error'; message: string };

const ExplainPositionSchema = z.array(exampleIndex).min(1).max(3);

export const ExplainFromViewSchema = z.discriminatedUnion('type', [
  ReadyMessageSchema,
  /** Another input: a test example by index, or an image file (a path the host chose). */
  z.object({ type: z.literal('request'), sample: exampleIndex.optional(), image: z.string().optional() }),
  z.object({ type: z.literal('pickImage') }),
  /** One value of a layer: [row, column, channel] or [unit]. */
  z.object({ type: z.literal('explainUnit'), layer: z.string(), position: ExplainPositionSchema }),
  /** Show a layer's line in the editor (0-based). */
  z.object({ type: z.literal('reveal'), line: z.number().int().nonnegative() }),
  /** Explain the model's initial weights (true) or its newest trained run's best ones (false). */
  z.object({ type: z.literal('weights'), initial: z.boolean() }),
]);
export type ExplainFromView = z.infer<typeof ExplainFromViewSchema>;

export interface ExplainState {
  uri: string;
  model: string;
  /** The run whose best weights are explained; the newest trained run when left out, initial weights when there is none. */
  run?: string;
  /** Set to explain the model's initial weights even when it has a run. */
  initial?: boolean;
  sample?: number;
  image?: string;
  /** The value last clicked, asked again after a reload. */
  selected?: { layer: string; position: number[] };
}

// ---- gradient flow -------------------------------------------------------------------------

/** One run's recorded gradient flow (gradient-flow.jsonl), with the model file its lines are in. */
export interface GradientFlowRun {
  name: string;
  runDir: string;
  model: string;
  /** The model file, absolute: where a clicked layer's line is revealed. */
  file: string;
  events: GradientFlowEvent[];
  /** Still training: more events will come. */
  live: boolean;
}

/** What the heatmap colours and the bars measure: a field of GradientFlowLayer. */
export type GradientFlowMetric = 'gradientNorm' | 'updateRatio' | 'weightNorm' | 'deadFraction';

export type GradientFlowToView =
  /** The run the view is for, first, then other runs of the same model file to compare with. */
  | { type: 'runs'; runs: GradientFlowRun[] }
  | { type: 'event'; runDir: string; event: GradientFlowEvent }
  /** The run finished (or stopped): no more events. */
  | { type: 'ended'; runDir: string };

export const GradientFlowFromViewSchema = z.discriminatedUnion('type', [
  ReadyMessageSchema,
  /** Show a layer's line (1-based) in the run's model file. */
  z.object({ type: z.literal('reveal'), runDir: z.string(), line: z.number().int().positive() }),
]);
export type GradientFlowFromView = z.infer<typeof GradientFlowFromViewSchema>;

export interface GradientFlowState {
  runDir: string;
  metric?: GradientFlowMetric;
}
