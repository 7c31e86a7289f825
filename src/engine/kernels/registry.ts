// Swaps our kernels into tfjs's global registry and remembers the stock ones, so that
// registering twice is harmless and tests can still reach the stock kernel as a reference.
import * as tf from '@tensorflow/tfjs';

/** What tfjs hands every kernel function. */
export type KernelArgs = Parameters<tf.KernelFunc>[0];

type Installed = { ours: tf.KernelConfig; stock: tf.KernelConfig | undefined };

const installed = new Map<string, Installed>();

const key = (kernelName: string, backendName: string): string => `${backendName}/${kernelName}`;

/** Registers `config`, replacing any stock kernel. Returns false if ours was already there. */
export function install(config: tf.KernelConfig): boolean {
  const { kernelName, backendName } = config;
  const current = tf.getKernel(kernelName, backendName);
  const mine = installed.get(key(kernelName, backendName));
  if (mine !== undefined && current?.kernelFunc === mine.ours.kernelFunc) return false;
  if (current !== undefined) tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel(config);
  installed.set(key(kernelName, backendName), { ours: config, stock: current });
  return true;
}

/** The kernel tfjs itself registered under this name, even after ours replaced it. */
export function stockKernel(kernelName: string, backendName: string): tf.KernelConfig | undefined {
  const mine = installed.get(key(kernelName, backendName));
  return mine !== undefined ? mine.stock : tf.getKernel(kernelName, backendName);
}

/** Puts the stock kernels back (or removes ours where tfjs had none); returns their names. */
export function uninstallAll(backendName: string): string[] {
  const restored: string[] = [];
  for (const [k, { ours, stock }] of installed) {
    if (ours.backendName !== backendName) continue;
    if (tf.getKernel(ours.kernelName, backendName)?.kernelFunc === ours.kernelFunc) {
      tf.unregisterKernel(ours.kernelName, backendName);
      if (stock !== undefined) tf.registerKernel(stock);
    }
    installed.delete(k);
    restored.push(ours.kernelName);
  }
  return restored;
}
