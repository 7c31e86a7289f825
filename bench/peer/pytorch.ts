/**
 * The PyTorch peer of the LeNet-5 benchmark: finds a python3 with torch and torchvision (Debian's
 * python3-torch, PyTorch 1.13 CPU), lays MNIST out the way torchvision's datasets.MNIST reads it,
 * and runs the assignment's script (lenet5_assignment.py) or its shorter timing loop
 * (lenet5_timing.py) beside this file. Node built-ins only.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** The four MNIST idx files with their uncompressed sizes (16- or 8-byte header, then the data). */
const MNIST_FILES: ReadonlyArray<{ name: string; bytes: number }> = [
  { name: 'train-images-idx3-ubyte', bytes: 16 + 60000 * 28 * 28 },
  { name: 'train-labels-idx1-ubyte', bytes: 8 + 60000 },
  { name: 't10k-images-idx3-ubyte', bytes: 16 + 10000 * 28 * 28 },
  { name: 't10k-labels-idx1-ubyte', bytes: 8 + 10000 },
];

const PYTHON_CANDIDATES = ['/usr/bin/python3', 'python3'];
let cachedPython: { path: string | undefined } | undefined;

/**
 * A python3 that can `import torch, torchvision`: `/usr/bin/python3` (where apt installs
 * python3-torch) is tried first, then `python3` on PATH. Returns undefined when neither can.
 * The answer is cached for the life of the process.
 */
export function findPython(): string | undefined {
  if (cachedPython) return cachedPython.path;
  let found: string | undefined;
  for (const candidate of PYTHON_CANDIDATES) {
    const probe = spawnSync(candidate, ['-c', 'import torch, torchvision'], { stdio: 'ignore', timeout: 120_000 });
    if (!probe.error && probe.status === 0) {
      found = candidate;
      break;
    }
  }
  cachedPython = { path: found };
  return found;
}

function fileSize(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}

/**
 * Writes the four uncompressed MNIST idx files where torchvision 0.14's
 * `datasets.MNIST(root, download=False)` looks for them, `workDir/MNIST/raw/`, from
 * `dataDir/mnist/NAME.gz` (or an uncompressed `dataDir/mnist/NAME`). A file already there with the
 * right size is left alone. Returns the ROOT to pass to the Python scripts (`workDir`).
 * Throws, naming the file, when the data folder lacks one of them or one has the wrong size.
 */
export function prepareTorchvisionMnist(dataDir: string, workDir: string): string {
  const mnistDir = join(dataDir, 'mnist');
  const rawDir = join(workDir, 'MNIST', 'raw');
  mkdirSync(rawDir, { recursive: true });
  for (const { name, bytes } of MNIST_FILES) {
    const target = join(rawDir, name);
    if (fileSize(target) === bytes) continue;
    const gz = join(mnistDir, `${name}.gz`);
    const plain = join(mnistDir, name);
    let data: Buffer;
    if (existsSync(gz)) {
      try {
        data = gunzipSync(readFileSync(gz));
      } catch (e) {
        throw new Error(`MNIST file ${gz} is not a readable gzip file: ${(e as Error).message}`, { cause: e });
      }
    } else if (existsSync(plain)) {
      data = readFileSync(plain);
    } else {
      throw new Error(`The data folder ${dataDir} lacks MNIST: neither ${gz} nor ${plain} exists.`);
    }
    if (data.length !== bytes) {
      throw new Error(`MNIST file ${existsSync(gz) ? gz : plain} holds ${data.length} bytes uncompressed; expected ${bytes}.`);
    }
    const partial = `${target}.partial-${process.pid}`;
    writeFileSync(partial, data);
    renameSync(partial, target);
  }
  return workDir;
}

/** Runs `python script args...`, resolving with stdout; rejects with the tail of stderr. */
function runPython(python: string, script: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [join(__dirname, script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (e) => reject(new Error(`Could not start ${python} ${script}: ${e.message}`)));
    child.on('close', (code, signal) => {
      const stdout = Buffer.concat(out).toString('utf8');
      if (code === 0) {
        resolve(stdout);
        return;
      }
      const tail = Buffer.concat(err).toString('utf8').trimEnd().slice(-2000);
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      reject(new Error(`${python} ${script} ${how}.${tail ? `\nstderr (tail):\n${tail}` : ''}`));
    });
  });
}

/**
 * Runs lenet5_timing.py: the assignment's model, DataLoader (batch 64, shuffled), Adam 1e-3 and
 * step, timed over `batches` batches after 20 warm-up batches. `root` is what
 * prepareTorchvisionMnist returned. Resolves with training images per second, the timed seconds,
 * the torch version and torch's intra-op thread count.
 */
export async function runPytorchTiming(
  python: string,
  root: string,
  batches: number,
): Promise<{ imagesPerSecond: number; seconds: number; torch: string; threads: number }> {
  if (!Number.isInteger(batches) || batches < 1) throw new Error(`batches must be a positive integer, not ${batches}`);
  const stdout = await runPython(python, 'lenet5_timing.py', [root, String(batches)]);
  const line = stdout.split('\n').reverse().find((l) => l.trim().startsWith('{'));
  if (!line) throw new Error(`lenet5_timing.py printed no JSON line; stdout:\n${stdout.slice(-2000)}`);
  const parsed = JSON.parse(line) as Record<string, unknown>;
  const { imagesPerSecond, seconds, torch, threads } = parsed;
  if (typeof imagesPerSecond !== 'number' || typeof seconds !== 'number' || typeof torch !== 'string' || typeof threads !== 'number') {
    throw new Error(`lenet5_timing.py printed an unexpected line: ${line}`);
  }
  return { imagesPerSecond, seconds, torch, threads };
}

/**
 * Runs the assignment's own script (lenet5_assignment.py: 5 epochs, then the 10,000 test images)
 * and parses its printed `Test Accuracy: xx.xx%` and `Training Time: xx.xx seconds`. `root` is
 * what prepareTorchvisionMnist returned. Resolves with accuracy as a fraction (0..1) and the
 * training seconds the script measured (evaluation and data loading before training excluded).
 */
export async function runPytorchFull(python: string, root: string): Promise<{ accuracy: number; seconds: number }> {
  const stdout = await runPython(python, 'lenet5_assignment.py', [root]);
  const accuracy = /Test Accuracy:\s*([\d.]+)%/.exec(stdout)?.[1];
  const seconds = /Training Time:\s*([\d.]+) seconds/.exec(stdout)?.[1];
  if (accuracy === undefined || seconds === undefined) {
    throw new Error(`lenet5_assignment.py did not print its accuracy and training time; stdout:\n${stdout.slice(-2000)}`);
  }
  return { accuracy: Number((Number(accuracy) / 100).toFixed(6)), seconds: Number(seconds) };
}
