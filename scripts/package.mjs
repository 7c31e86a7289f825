#!/usr/bin/env node
// npm run package: the production bundles once, then one .vsix per platform that the `webgpu`
// package (Dawn's Node binding) ships a binary for, each holding only that platform's Dawn
// (its `darwin-universal` build serves both darwin targets), plus the universal package, which
// has no GPU path (WebAssembly and the CPU only). The platform packages add to the allow-list
// in .vscodeignore (see docs/extension.md, "Packaging") the binding's loader, its one binary
// folder and tfjs-backend-webgpu's Node bundle. Written next to package.json:
//   convlab-VERSION.vsix (universal), convlab-VERSION-TARGET.vsix (per platform).
// Usage: node scripts/package.mjs [TARGET...]   (default: all of them)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const { name, version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const binaries = join(root, 'node_modules', 'webgpu', 'dist');

/** vsce target → the folder of node_modules/webgpu/dist/ it loads (webgpu's index.js picks it). */
export function webgpuTargets() {
  const targets = {};
  for (const folder of readdirSync(binaries)) {
    if (!existsSync(join(binaries, folder, 'dawn.node'))) continue;
    if (folder === 'darwin-universal') {
      targets['darwin-x64'] = folder;
      targets['darwin-arm64'] = folder;
    } else targets[folder] = folder;
  }
  return targets;
}

function webgpuAllowList(folder) {
  const lines = [
    'node_modules/webgpu/package.json',
    'node_modules/webgpu/index.js',
    'node_modules/webgpu/LICENSE.md',
    'node_modules/@tensorflow/tfjs-backend-webgpu/package.json',
    'node_modules/@tensorflow/tfjs-backend-webgpu/dist/tf-backend-webgpu.node.js',
  ];
  for (const path of lines) if (!existsSync(join(root, path))) throw new Error(`package: ${path} is missing; is the webgpu package installed (npm ci)?`);
  return [...lines, `node_modules/webgpu/dist/${folder}/*`].map((path) => `!${path}`);
}

function vsce(args) {
  const run = spawnSync('npx', ['vsce', 'package', '--allow-missing-repository', '--no-rewrite-relative-links', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`vsce package ${args.join(' ')} failed (exit ${run.status}):\n${run.stdout}`);
  process.stdout.write(run.stdout.split('\n').filter((l) => /DONE|Packaged/.test(l)).join('\n') + '\n');
}

function main() {
  const wanted = process.argv.slice(2);
  const targets = webgpuTargets();
  const unknown = wanted.filter((t) => t !== 'universal' && !(t in targets));
  if (unknown.length > 0) throw new Error(`package: no webgpu binary for ${unknown.join(', ')}; targets: universal, ${Object.keys(targets).join(', ')}`);
  const build = spawnSync('npm', ['run', 'build', '--silent', '--', '--production'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('package: the production build failed');
  if (wanted.length === 0 || wanted.includes('universal')) vsce(['-o', `${name}-${version}.vsix`]);
  const base = readFileSync(join(root, '.vscodeignore'), 'utf8');
  const scratch = join(root, '.cache', 'package');
  mkdirSync(scratch, { recursive: true });
  for (const [target, folder] of Object.entries(targets)) {
    if (wanted.length > 0 && !wanted.includes(target)) continue;
    const ignoreFile = join(scratch, `vscodeignore-${target}`);
    writeFileSync(ignoreFile, `${base}\n# ${target}: Dawn's Node binding with its ${folder} binary only, and the WebGPU backend.\n${webgpuAllowList(folder).join('\n')}\n`);
    vsce(['--target', target, '--ignoreFile', ignoreFile, '-o', `${name}-${version}-${target}.vsix`]);
  }
}

try {
  main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
