#!/usr/bin/env node
// Runs every test/**/*.test.ts on node's own test runner, with tsx for TypeScript.
// Node 20's --test takes no globs, so the files are listed here.
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';

function findTests(dir) {
  const found = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (entry.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

/**
 * The WebGPU tests run on SwiftShader, the Vulkan device on the CPU that Debian's chromium
 * package ships (`dpkg -L chromium-common`): Dawn's Node binding finds it through the Vulkan
 * loader once VK_ICD_FILENAMES names its manifest and its folder is on LD_LIBRARY_PATH. A
 * VK_ICD_FILENAMES already set (a real GPU's driver) is left alone.
 */
function swiftshaderEnv() {
  if (process.env.VK_ICD_FILENAMES) return {};
  const listed = spawnSync('dpkg', ['-L', 'chromium-common'], { encoding: 'utf8' });
  const manifest = (listed.stdout ?? '').split('\n').find((line) => line.endsWith('/vk_swiftshader_icd.json'))
    ?? ['/usr/lib/chromium/vk_swiftshader_icd.json'].find((path) => existsSync(path));
  if (!manifest || !existsSync(manifest)) return {};
  const folder = dirname(manifest);
  return { VK_ICD_FILENAMES: manifest, LD_LIBRARY_PATH: [folder, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') };
}

const filters = process.argv.slice(2);
const files = findTests('test').filter((f) => filters.length === 0 || filters.some((x) => f.includes(x))).sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}
const env = { ...process.env, ...swiftshaderEnv() };
// Beside the spec report, test-results/test-times.txt: each file's time, slowest first, so the
// minutes CI spends can be read per file.
mkdirSync('test-results', { recursive: true });
const reporters = ['--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=./scripts/test-times-reporter.mjs', '--test-reporter-destination=test-results/test-times.txt'];
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...reporters, ...files], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
