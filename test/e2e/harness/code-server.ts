/**
 * A real VS Code for the end-to-end suite: code-server (the VS Code server with the web
 * workbench), installed from npm into a cache folder and started on a free port. Every pitfall of
 * installing it offline is in ../shared/notes/real-vscode-tests.md; each is handled here.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The newest code-server whose install accepts Node 20 (VS Code 1.100.3). */
export const CODE_SERVER_VERSION = '4.100.3';

/** What code-server 4.100.3's @vscode/ripgrep postinstall looks for before it downloads. */
const RIPGREP_CACHE = 'vscode-ripgrep-cache-1.15.11';
const RIPGREP_TARBALL = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';

export class MissingPrerequisite extends Error {}

export function codeServerEntry(cacheDir: string): string {
  return join(cacheDir, CODE_SERVER_VERSION, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

function which(program: string): string | undefined {
  const result = spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** Installs code-server into `<cacheDir>/<version>` once; returns its entry script. */
export function ensureCodeServer(cacheDir: string, log: (line: string) => void): string {
  const entry = codeServerEntry(cacheDir);
  const marker = join(cacheDir, CODE_SERVER_VERSION, 'installed');
  if (existsSync(entry) && existsSync(marker)) return entry;
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new MissingPrerequisite(`the offline code-server install is set up for linux-x64, not ${process.platform}-${process.arch}`);
  const rg = which('rg');
  if (!rg) throw new MissingPrerequisite('ripgrep (rg) is not installed: apt-get install ripgrep (code-server\'s install would download it)');
  if (!existsSync('/usr/include/krb5.h') && !existsSync('/usr/include/gssapi/gssapi.h')) {
    throw new MissingPrerequisite('the Kerberos headers are missing: apt-get install libkrb5-dev (code-server\'s kerberos module builds against them)');
  }
  const prefix = join(cacheDir, CODE_SERVER_VERSION);
  const tmp = join(prefix, 'tmp');
  mkdirSync(join(tmp, RIPGREP_CACHE), { recursive: true });
  // @vscode/ripgrep's postinstall takes a cached tarball with `rg` at its root instead of downloading.
  const staging = join(tmp, 'rg-staging');
  mkdirSync(staging, { recursive: true });
  copyFileSync(rg, join(staging, 'rg'));
  const tar = spawnSync('tar', ['czf', join(tmp, RIPGREP_CACHE, RIPGREP_TARBALL), '-C', staging, 'rg'], { encoding: 'utf8' });
  if (tar.status !== 0) throw new MissingPrerequisite(`could not pack rg for the install: ${tar.stderr}`);
  log(`installing code-server ${CODE_SERVER_VERSION} into ${prefix} (about a minute, once)`);
  const install = spawnSync('npm', ['install', '--prefix', prefix, `code-server@${CODE_SERVER_VERSION}`, '--unsafe-perm', '--no-audit', '--no-fund', '--no-save', '--loglevel=error'], {
    encoding: 'utf8',
    // node-pty's postinstall runs `npx node-gyp`, which npm's `yes=false` refuses; TMPDIR is where ripgrep's cache is.
    env: { ...process.env, TMPDIR: tmp, npm_config_yes: 'true', XDG_CONFIG_HOME: join(prefix, 'config') },
    timeout: 10 * 60_000,
  });
  if (install.status !== 0 || !existsSync(entry)) {
    throw new MissingPrerequisite(`npm install code-server@${CODE_SERVER_VERSION} failed (exit ${install.status}): ${(install.stderr || install.stdout || '').split('\n').slice(-15).join('\n')}`);
  }
  writeFileSync(marker, `${new Date().toISOString()}\n`);
  return entry;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface CodeServerDirs {
  userDataDir: string;
  extensionsDir: string;
  /** XDG_CONFIG_HOME: code-server writes its config.yaml there, not in the user's home. */
  configDir: string;
}

function serverEnv(dirs: CodeServerDirs): NodeJS.ProcessEnv {
  return { ...process.env, XDG_CONFIG_HOME: dirs.configDir };
}

/** `--install-extension`: what a user does with a downloaded .vsix. */
export function installExtension(entry: string, vsix: string, dirs: CodeServerDirs): void {
  const result = spawnSync(process.execPath, [entry, '--user-data-dir', dirs.userDataDir, '--extensions-dir', dirs.extensionsDir, '--install-extension', vsix], {
    encoding: 'utf8', env: serverEnv(dirs), timeout: 120_000,
  });
  if (result.status !== 0 || !/successfully installed/.test(result.stdout)) {
    throw new Error(`installing ${vsix} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
}

export interface RunningCodeServer {
  url: string;
  process: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

/** `workspaceTrust: true` keeps VS Code's trust prompt, for tests of Restricted Mode; otherwise every folder is trusted. */
export async function startCodeServer(entry: string, dirs: CodeServerDirs, workspace: string, options: { workspaceTrust?: boolean } = {}): Promise<RunningCodeServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [
    entry, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check',
    ...(options.workspaceTrust ? [] : ['--disable-workspace-trust']), '--disable-getting-started-override', '--user-data-dir', dirs.userDataDir,
    '--extensions-dir', dirs.extensionsDir, '--ignore-last-opened', workspace,
  ], { env: serverEnv(dirs), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  // 127.0.0.1, not localhost: webviews need a secure context.
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`code-server did not answer /healthz within 30 s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    process: child,
    output: () => output,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }),
  };
}
