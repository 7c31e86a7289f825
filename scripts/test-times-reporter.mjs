// A node:test reporter that sums the top-level tests' durations per test file and writes the
// files, slowest first, when the run ends: where CI's minutes go. scripts/test.mjs adds it beside
// the spec report, writing test-results/test-times.txt.
export default async function* testTimes(source) {
  const perFile = new Map();
  for await (const event of source) {
    if ((event.type !== 'test:pass' && event.type !== 'test:fail') || event.data.nesting !== 0) continue;
    const file = event.data.file ?? '(unknown file)';
    perFile.set(file, (perFile.get(file) ?? 0) + (event.data.details?.duration_ms ?? 0));
  }
  const rows = [...perFile].sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((sum, [, ms]) => sum + ms, 0);
  const root = `${process.cwd()}/`;
  for (const [file, ms] of rows) yield `${(ms / 1000).toFixed(1).padStart(7)} s  ${file.replace(root, '')}\n`;
  yield `${(total / 1000).toFixed(1).padStart(7)} s  in all, ${rows.length} files\n`;
}
