/**
 * The .vsix under test is the platform package `npm run package` makes for this machine (linux-x64
 * here, with Dawn's binary), as a user on it would install. It is rebuilt when missing or older
 * than anything that goes into it, so the suite never installs a stale package.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Sources of the package's contents; dist/ is left out because `npm test` rebuilds it each time. */
const INPUTS = ['package.json', '.vscodeignore', 'language-configuration.json', 'bin', 'src', 'syntaxes', 'snippets', 'media', 'samples', 'scripts/build.mjs', 'scripts/package.mjs'];

/** The vsce target of this machine, as `npm run package` names its packages. */
export const platformTarget = `${process.platform}-${process.arch}`;

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

export function vsixPath(root: string): string {
  const { name, version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
  return join(root, `${name}-${version}-${platformTarget}.vsix`);
}

export function ensureVsix(root: string, log: (line: string) => void): string {
  const vsix = vsixPath(root);
  const inputs = Math.max(...INPUTS.map((p) => newestMtime(join(root, p))));
  if (existsSync(vsix) && statSync(vsix).mtimeMs >= inputs) return vsix;
  log(`${existsSync(vsix) ? 'the .vsix is older than its sources' : 'no .vsix yet'}: npm run package -- ${platformTarget}`);
  const result = spawnSync('npm', ['run', 'package', '--', platformTarget], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  if (result.status !== 0 || !existsSync(vsix)) throw new Error(`npm run package failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  return vsix;
}
