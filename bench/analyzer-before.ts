/**
 * The analyzer as it was at an earlier commit, built from git in the running benchmark: the
 * commit's src/language is extracted with `git archive` into a temporary folder and bundled
 * with esbuild, so both analyzers run in the same process on the same machine.
 */
import { buildSync } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Analyze = (text: string) => unknown;

export function analyzerAt(commit: string, repo: string): { analyze: Analyze; commit: string } {
  const resolved = execFileSync('git', ['rev-parse', '--verify', `${commit}^{commit}`], { cwd: repo, encoding: 'utf8' }).trim();
  const dir = mkdtempSync(join(tmpdir(), 'convlab-analyzer-'));
  try {
    const archive = execFileSync('git', ['archive', '--format=tar', resolved, 'src/language', 'src/protocol'], { cwd: repo, maxBuffer: 64 * 1024 * 1024 });
    execFileSync('tar', ['-x', '-C', dir], { input: archive });
    return { analyze: bundledAnalyzer(dir), commit: resolved };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The analyzer of a source tree, bundled as the extension bundles it, so that both are compiled alike. */
export function bundledAnalyzer(root: string): Analyze {
  const outDir = mkdtempSync(join(tmpdir(), 'convlab-analyzer-bundle-'));
  try {
    const outfile = join(outDir, 'analyzer.cjs');
    buildSync({ entryPoints: [join(root, 'src', 'language', 'analyze.ts')], bundle: true, platform: 'node', format: 'cjs', outfile, logLevel: 'error' });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(outfile) as { analyze: Analyze }).analyze;
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
