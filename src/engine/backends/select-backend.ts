import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BACKEND_NAMES, type BackendEvent, type BackendName } from '../../protocol/engine';
import { registerTrainingKernels } from '../kernels/index';
import { describeAdapter, isSoftwareAdapter, type AdapterLike, type GpuLike } from './webgpu-adapter';
import { tf } from './tf';

/** Best first, as DESIGN.md orders them. */
export const BACKEND_LADDER: readonly BackendName[] = BACKEND_NAMES;

export interface BackendOptions {
  /** `--backend NAME`: use this one or fail, saying why. */
  force?: BackendName;
  /** Where the user installed the optional native packages (`--native-dir`, `convlab.nativeModulesDir`). */
  nativeDir?: string;
  /** Folders whose node_modules are searched for the optional packages, besides nativeDir. */
  searchFrom?: string[];
  /**
   * Skip the GPU rungs unless forced: for one image at a time (feature maps, Grad-CAM, the
   * prediction service) a GPU's start-up costs more than it saves, and WebGPU in Node cannot
   * read results back synchronously, which those paths do.
   */
  cpuOnly?: boolean;
}

type Attempt = { name: BackendName; available: boolean; reason: string };

const NATIVE_PACKAGES: Partial<Record<BackendName, string>> = { cuda: '@tensorflow/tfjs-node-gpu', native: '@tensorflow/tfjs-node' };

/**
 * Walks the ladder and activates the first backend that works; returns the event that says which
 * and why. The optional packages are looked up at run time, never assumed: their install
 * downloads libtensorflow, which fails on machines without internet or CUDA.
 */
export async function selectBackend(options: BackendOptions = {}): Promise<BackendEvent> {
  const tried: Attempt[] = [];
  const candidates = options.force ? [options.force] : BACKEND_LADDER.filter((name) => !options.cpuOnly || (name !== 'cuda' && name !== 'webgpu'));
  for (const name of candidates) {
    const attempt = await tryBackend(name, options);
    tried.push(attempt);
    if (attempt.available) {
      const passedOver = tried.filter((t) => !t.available).map((t) => `${t.name}: ${t.reason}`);
      const reason = options.force ? `forced with --backend; ${attempt.reason}` : [attempt.reason, ...passedOver.map((p) => `skipped ${p}`)].join('; ');
      return { type: 'backend', name, reason, tried };
    }
  }
  const why = tried.map((t) => `${t.name}: ${t.reason}`).join('; ');
  throw new Error(options.force ? `backend ${options.force} is not available: ${why}` : `no backend could start: ${why}`);
}

async function tryBackend(name: BackendName, options: BackendOptions): Promise<Attempt> {
  try {
    switch (name) {
      case 'cuda':
      case 'native':
        return await tryNative(name, options);
      case 'webgpu':
        return await tryWebgpu(options, options.force === 'webgpu');
      case 'wasm': {
        await import('@tensorflow/tfjs-backend-wasm');
        if (!(await tf.setBackend('wasm'))) return { name, available: false, reason: 'the wasm backend failed to initialise' };
        // After initialisation: the stock kernels' set-up (binding their wasm functions) has run.
        const kernels = registerTrainingKernels('wasm');
        return { name, available: true, reason: `WebAssembly with SIMD (single-threaded in Node) and ConvLab's training kernels (${kernels.length > 0 ? kernels.length : 'already'} registered)` };
      }
      case 'cpu':
        registerTrainingKernels('cpu');
        await tf.setBackend('cpu');
        return { name, available: true, reason: "plain JavaScript with ConvLab's flat-indexed filter gradient" };
    }
  } catch (error) {
    return { name, available: false, reason: `failed to start: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
  }
}

/** Finds an optional package in the user's folder or beside the engine, without loading it. */
export function findOptionalPackage(pkg: string, options: BackendOptions): string | undefined {
  const roots = [options.nativeDir, ...(options.searchFrom ?? []), process.cwd(), join(__dirname, '..')].filter((r): r is string => !!r);
  for (const root of roots) {
    for (const base of [root, join(root, 'node_modules')]) {
      if (existsSync(join(base, pkg, 'package.json')) || existsSync(join(base, 'node_modules', pkg, 'package.json'))) {
        try {
          return createRequire(join(base, 'noop.js')).resolve(pkg);
        } catch {
          // Present but not loadable from here: try the next root.
        }
      }
    }
  }
  return undefined;
}

async function tryNative(name: 'cuda' | 'native', options: BackendOptions): Promise<Attempt> {
  const pkg = NATIVE_PACKAGES[name]!;
  const resolved = findOptionalPackage(pkg, options);
  if (!resolved) return { name, available: false, reason: `${pkg} is not installed (see docs/backends.md)` };
  // The native binding registers the 'tensorflow' backend on the tfjs it finds; it must be ours.
  createRequire(resolved)(resolved);
  if (!(await tf.setBackend('tensorflow'))) return { name, available: false, reason: `${pkg} loaded but its backend did not start` };
  return { name, available: true, reason: `${pkg} (libtensorflow${name === 'cuda' ? ' with CUDA' : ', native CPU'})` };
}

/**
 * WebGPU through Dawn's Node binding: any GPU with Vulkan, Metal or D3D12, no CUDA install.
 * Dawn's messages about drivers it cannot use go to stderr; the attempt's reason says the outcome.
 */
async function tryWebgpu(options: BackendOptions, forced: boolean): Promise<Attempt> {
  const binding = findOptionalPackage('webgpu', options);
  const backend = findOptionalPackage('@tensorflow/tfjs-backend-webgpu', options);
  if (!binding || !backend) {
    const missing = [binding ? '' : 'webgpu', backend ? '' : '@tensorflow/tfjs-backend-webgpu'].filter(Boolean);
    return { name: 'webgpu', available: false, reason: `${missing.join(' and ')} not installed` };
  }
  const probe = probeAdapter(binding);
  if (!probe.found) {
    return { name: 'webgpu', available: false, reason: `no WebGPU adapter: Dawn found no GPU it can drive (Vulkan, Metal or D3D12)${probe.detail ? `; Dawn said: ${probe.detail}` : ''}` };
  }
  // Decided from the probe, so that a machine with only a software adapter never loads Dawn here.
  if (!forced && probe.adapter && isSoftwareAdapter(probe.adapter)) return softwarePassedOver(probe.adapter);
  // The binding is an ES module; the engine bundle is CommonJS.
  const dawn = (await import(pathToFileURL(binding).href)) as { create(flags: string[]): GpuLike; globals: Record<string, unknown> };
  const gpu = dawn.create([]);
  const adapter = await gpu.requestAdapter();
  if (!adapter) return { name: 'webgpu', available: false, reason: 'no WebGPU adapter: Dawn found no GPU it can drive (Vulkan, Metal or D3D12)' };
  const described = describeAdapter(adapter);
  if (!forced && isSoftwareAdapter(adapter)) return softwarePassedOver(adapter);
  // tfjs-backend-webgpu looks for navigator.gpu and the WebGPU classes on the global object.
  Object.assign(globalThis, dawn.globals);
  const global = globalThis as unknown as { navigator?: { gpu?: unknown } };
  if (!global.navigator) Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
  else if (!global.navigator.gpu) Object.defineProperty(global.navigator, 'gpu', { value: gpu, configurable: true });
  createRequire(backend)(backend);
  if (!(await tf.setBackend('webgpu'))) return { name: 'webgpu', available: false, reason: 'an adapter was found but the WebGPU backend did not start' };
  registerTrainingKernels('webgpu');
  return { name: 'webgpu', available: true, reason: `WebGPU through Dawn on ${described}${isSoftwareAdapter(adapter) ? ' (a software renderer, forced)' : ''}, with ConvLab's training kernels` };
}

function softwarePassedOver(adapter: AdapterLike): Attempt {
  return { name: 'webgpu', available: false, reason: `the only WebGPU adapter is ${describeAdapter(adapter)}, a software renderer on the CPU: training there is slower than on wasm (--backend webgpu forces it)` };
}

/**
 * Asks Dawn for an adapter in a short child process first: on machines without a usable GPU
 * driver Dawn writes its complaints straight to the process's stderr, which the engine's own
 * output (a terminal, or the extension's log) should not carry on every run.
 */
function probeAdapter(binding: string): { found: boolean; adapter?: AdapterLike; detail?: string } {
  const script = `import(${JSON.stringify(pathToFileURL(binding).href)}).then(async ({ create }) => {
    const adapter = await create([]).requestAdapter();
    const info = adapter?.info ?? {};
    const described = { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description, isFallbackAdapter: info.isFallbackAdapter };
    process.stdout.write(adapter ? JSON.stringify({ info: described, isFallbackAdapter: adapter.isFallbackAdapter }) : 'none');
    process.exit(0);
  }, () => { process.stdout.write('none'); process.exit(0); });`;
  const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 });
  const lines = (result.stderr ?? '').split('\n').map((line) => line.trim());
  // Dawn's warning names the driver feature it missed; the environment complaints say less.
  const detail = lines.find((line) => /^Warning:/.test(line)) ?? lines.find((line) => /^(Error|error):/.test(line));
  const found = (result.stdout ?? '').startsWith('{');
  return { found, adapter: found ? (JSON.parse(result.stdout) as AdapterLike) : undefined, detail: detail?.replace(/^(Warning|Error|error):\s*/, '') };
}
