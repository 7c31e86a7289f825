import { existsSync, readFileSync } from 'node:fs';

/**
 * Hands each JSON line of a run file to `visit` with its `path:line`; a torn line (a crash
 * mid-write) or one that is not JSON is reported in `problems` and skipped, so the rest still shows.
 */
export function forEachJsonLine(path: string, problems: string[], visit: (value: unknown, where: string) => void): void {
  if (!existsSync(path)) return;
  readFileSync(path, 'utf8').split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const where = `${path}:${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      problems.push(`${where}: not JSON (${(error as Error).message})`);
      return;
    }
    visit(value, where);
  });
}
