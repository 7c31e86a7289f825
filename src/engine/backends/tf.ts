/**
 * The one place the engine loads TensorFlow.js. A native binding (tfjs-node, tfjs-node-gpu),
 * when the backend ladder loads one, registers its backend with this same instance.
 */
import * as tf from '@tensorflow/tfjs';

export { tf };
export type Tensor = import('@tensorflow/tfjs').Tensor;

// PROD silences tfjs' console advice to install tfjs-node (the engine reports its backend
// itself) and skips debug-only checks.
tf.env().set('PROD', true);
