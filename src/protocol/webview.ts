/**
 * Messages between the extension host and each webview, typed per view as GitLens does:
 * host → view are notifications, view → host are commands. Both sides import these types;
 * webviews never see anything else of the host.
 */
import type { EngineEvent } from './engine';
import type { EvaluationReport } from './evaluation';
import type { GradCamResult } from './gradcam';
import type { GraphJson } from './graph';
import type { InspectResult } from './inspect';
import type { JsonRange } from './summary';

/** Every view says it is ready before the host sends it anything. */
export interface ReadyMessage {
  type: 'ready';
}

// ---- architecture diagram ------------------------------------------------------------------

export type ArchitectureToView =
  | { type: 'graph'; graph: GraphJson; hasErrors: boolean; fileName: string }
  /** Node ids made by the statement under the editor's cursor. */
  | { type: 'highlight'; nodeIds: number[] };

export type ArchitectureFromView =
  | ReadyMessage
  | { type: 'reveal'; range: JsonRange }
  | { type: 'export'; format: 'svg' | 'png'; /** SVG text, or a PNG data URL. */ data: string };

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

export type DashboardFromView =
  | ReadyMessage
  | { type: 'openRun'; runDir: string }
  | { type: 'cancel'; runDir: string }
  /** A finished run: its confusion matrix, per-class scores and calibration, in the evaluation view. */
  | { type: 'evaluate'; runDir: string }
  /** The curves for a report: the charts as SVG text or a PNG data URL, or the epochs as CSV. */
  | { type: 'export'; runDir: string; format: 'svg' | 'png' | 'csv'; data: string };

export interface DashboardState {
  runDir: string;
  overlay?: string[];
}

// ---- filters and feature maps --------------------------------------------------------------

export type FeatureMapsToView =
  | { type: 'inspect'; result: InspectResult }
  | { type: 'layers'; layers: string[]; current: string }
  | { type: 'error'; message: string };

export type FeatureMapsFromView =
  | ReadyMessage
  | { type: 'request'; layer: string; sample?: number; image?: string }
  | { type: 'pickImage' };

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

export type EvaluationFromView =
  | ReadyMessage
  /** Run the evaluation again (after more training, or after an error was fixed). */
  | { type: 'evaluate' }
  /** Open the run's training dashboard. */
  | { type: 'openRun' }
  /** Grad-CAM of a test example (a mistake in the list) with this run's weights. */
  | { type: 'explain'; sample: number };

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

export type GradCamFromView =
  | ReadyMessage
  /** Explain again with other choices; a field left out keeps the engine's default (last layer, predicted class). */
  | { type: 'request'; layer?: string; classIndex?: number; sample?: number; image?: string }
  | { type: 'pickImage' };

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
