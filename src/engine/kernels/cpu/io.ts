// Flat-array access to the JS backend's tensors (see flat/io.ts).
import * as tf from '@tensorflow/tfjs';
import type { FlatIO, FlatKernel } from '../flat/io';
import type { KernelArgs } from '../registry';

interface CpuBackend {
  data: { get(dataId: object): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

export function cpuValues(backend: unknown, t: tf.TensorInfo): ArrayLike<number> {
  const v = (backend as CpuBackend).data.get(t.dataId).values;
  if (!ArrayBuffer.isView(v)) throw new Error(`tensor of shape [${t.shape}] holds no numeric data`);
  return v as unknown as ArrayLike<number>;
}

export function cpuIO(backend: unknown): FlatIO {
  return {
    compute(inputs, outShape, body) {
      const out = new Float32Array(tf.util.sizeFromShape(outShape));
      body(inputs.map((t) => cpuValues(backend, t)), out);
      return (backend as CpuBackend).makeTensorInfo(outShape, 'float32', out);
    },
  };
}

export function onCpu(kernelName: string, kernel: FlatKernel): tf.KernelConfig {
  return { kernelName, backendName: 'cpu', kernelFunc: (args: KernelArgs) => kernel(cpuIO(args.backend), args) };
}
