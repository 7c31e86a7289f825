import type { LineIndex } from '../text';

/** The `#` comment lines right above `offset` (a declaration), without their `#`. */
export function commentsAbove(lines: LineIndex, offset: number): string[] {
  const text = lines.text;
  const rows = text.split('\n');
  const found: string[] = [];
  for (let row = lines.position(offset).line - 1; row >= 0; row--) {
    const line = rows[row]!.trim();
    if (!line.startsWith('#')) break;
    found.unshift(line.replace(/^#\s?/, ''));
  }
  return found;
}

/** The comment at the end of the line where `offset` is, if any (outside quotes). */
export function trailingComment(lines: LineIndex, offset: number): string | undefined {
  const row = lines.text.split('\n')[lines.position(offset).line] ?? '';
  let quoted = false;
  for (let i = 0; i < row.length; i++) {
    if (row[i] === '"') quoted = !quoted;
    else if (row[i] === '#' && !quoted) return row.slice(i + 1).trim() || undefined;
  }
  return undefined;
}

/** The first line of a span's text: `block inception(c1, c3r, c3, c5r, c5, pp) {` without the brace. */
export function headerLine(lines: LineIndex, offset: number): string {
  const row = lines.text.split('\n')[lines.position(offset).line] ?? '';
  return row.replace(/\{.*$/, '').replace(/#.*$/, '').trim();
}

/** Text for a Python docstring or comment: no triple quotes, no backslashes that escape. */
export function pythonText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"""/g, '\\"\\"\\"');
}
