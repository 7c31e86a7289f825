import type { ModelDecl, TrainDecl } from '../ast';
import type { DiagnosticSink } from '../diagnostic-sink';
import type { ModelGraph } from '../layer-graph';
import type { TrainSpec } from './train-spec';

/**
 * How many classes the dataset a `data` line names has, as far as the host can tell without
 * reading images: a known name's published classes, an image folder's class folders. Undefined
 * when it cannot tell (a folder not found yet is reported when training starts, not here).
 */
export type DatasetClassCount = (source: string) => number | undefined;

/** The datasets ConvLab knows by name (the engine's catalogue), with their class counts. */
const KNOWN_CLASS_COUNTS: Record<string, number> = {
  mnist: 10, 'fashion-mnist': 10, fashion_mnist: 10, fashionmnist: 10, cifar10: 10, 'cifar-10': 10, cifar_10: 10,
};

export function knownDatasetClasses(source: string): number | undefined {
  return KNOWN_CLASS_COUNTS[source.toLowerCase()];
}

/**
 * Checks, at the train line, that the model's head has one unit per class of its data: a head
 * of 1000 ImageNet classes on a 2-class folder would otherwise fail only once training starts.
 */
export function checkHeadClasses(
  decl: TrainDecl, spec: TrainSpec, graph: ModelGraph | undefined, models: ReadonlyMap<string, ModelDecl>, classesOf: DatasetClassCount | undefined, sink: DiagnosticSink,
): void {
  if (!graph || !spec.data || !decl.model) return;
  const classes = knownDatasetClasses(spec.data.source) ?? classesOf?.(spec.data.source);
  const output = graph.outputs[0];
  const shape = output ? graph.nodes[output.node]?.outputShape : undefined;
  if (classes === undefined || !shape || shape.length !== 1) return;
  const units = shape[0]!;
  if (units === classes) return;
  const parameterised = rootDecl(graph.name, models);
  const parameter = parameterised?.params.some((p) => p.name.name === 'classes') === true;
  const root = parameterised?.name.name ?? graph.name;
  sink.error(
    'class-mismatch', decl.model.span,
    `${graph.name} ends in ${units} outputs but ${spec.data.source} has ${classes} classes`,
    parameter
      ? `derive a model with the right head, such as model ${root}${classes}Classes = ${root}(classes = ${classes}), and train that`
      : `give the last dense layer ${classes} units, or give ${graph.name} a classes parameter and derive a model with classes = ${classes}`,
  );
}

/** The declaration with a body that a model is made from (`model B = A(…)` leads to A). */
function rootDecl(name: string, models: ReadonlyMap<string, ModelDecl>): ModelDecl | undefined {
  let decl = models.get(name);
  for (let hops = 0; decl?.instanceOf && hops < models.size; hops++) decl = models.get(decl.instanceOf.callee.name);
  return decl;
}
