/**
 * Which program runs the engine. The user's own `node` comes first because only a real Node can
 * load the native TensorFlow bindings (tfjs-node, tfjs-node-gpu); VS Code's runtime, run as
 * plain Node with ELECTRON_RUN_AS_NODE=1, always works but only reaches the wasm and JS backends.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The engine bundle targets Node 20 (scripts/build.mjs). */
export const MINIMUM_NODE_MAJOR = 20;

export interface EngineRuntime {
  command: string;
  /** Added to the child's environment. */
  env: Record<string, string>;
  /** For the log: which runtime and why. */
  description: string;
}

/** An executable `node` in one of PATH's folders, or undefined. */
export function findNodeOnPath(pathVariable: string | undefined, platform: NodeJS.Platform = process.platform): string | undefined {
  const names = platform === 'win32' ? ['node.exe', 'node.cmd'] : ['node'];
  for (const dir of (pathVariable ?? '').split(platform === 'win32' ? ';' : delimiter)) {
    if (!dir) continue;
    for (const name of names) {
      const candidate = join(dir, name);
      if (isExecutableFile(candidate, platform)) return candidate;
    }
  }
  return undefined;
}

function isExecutableFile(path: string, platform: NodeJS.Platform): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    if (platform !== 'win32') accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `node --version`'s major number, or undefined when the program does not answer like Node. */
export function nodeMajorVersion(command: string, timeoutMs = 5000): Promise<number | undefined> {
  return new Promise((resolvePromise) => {
    execFile(command, ['--version'], { timeout: timeoutMs, windowsHide: true }, (error, stdout) => {
      const match = /^v(\d+)\./.exec(String(stdout).trim());
      resolvePromise(error || !match ? undefined : Number(match[1]));
    });
  });
}

export interface RuntimeChoice {
  /** `convlab.nodePath`, when set. */
  configuredNode?: string;
  /** PATH of the extension host. */
  pathVariable?: string;
  /** The extension host's own executable (Electron in desktop VS Code, node in a server). */
  hostExecutable: string;
  /** Injected for tests; defaults to running `node --version`. */
  probe?: (command: string) => Promise<number | undefined>;
  platform?: NodeJS.Platform;
}

/**
 * The configured node if it runs and is recent enough, else one on PATH, else the host's
 * runtime. `notes` says why candidates were passed over, for the log.
 */
export async function chooseEngineRuntime(choice: RuntimeChoice): Promise<EngineRuntime & { notes: string[] }> {
  const probe = choice.probe ?? ((command: string) => nodeMajorVersion(command));
  const notes: string[] = [];
  const candidates: { command: string; origin: string }[] = [];
  const configured = choice.configuredNode?.trim();
  if (configured) candidates.push({ command: configured, origin: 'convlab.nodePath' });
  const onPath = findNodeOnPath(choice.pathVariable, choice.platform);
  if (onPath && onPath !== configured) candidates.push({ command: onPath, origin: 'PATH' });
  for (const { command, origin } of candidates) {
    const major = await probe(command);
    if (major === undefined) notes.push(`${command} (${origin}) did not run as node --version`);
    else if (major < MINIMUM_NODE_MAJOR) notes.push(`${command} (${origin}) is Node ${major}; the engine needs ${MINIMUM_NODE_MAJOR} or later`);
    else return { command, env: {}, description: `Node ${major} from ${origin} (${command})`, notes };
  }
  return {
    command: choice.hostExecutable,
    env: { ELECTRON_RUN_AS_NODE: '1' },
    description: `VS Code's own runtime (${choice.hostExecutable}); native TensorFlow bindings need a Node.js install`,
    notes,
  };
}
