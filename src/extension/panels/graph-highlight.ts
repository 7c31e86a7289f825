/**
 * Which diagram nodes the statement under the cursor made. A node was made by its own statement
 * and, through block calls, by each call statement in its scope; the innermost statement that
 * contains the cursor wins, so the cursor on `residual {` lights the whole residual block and
 * the cursor on a line inside it lights only that line's layers.
 */
import type { GraphJson } from '../../protocol/graph';
import type { JsonPosition, JsonRange } from '../../protocol/summary';

function contains(range: JsonRange, position: JsonPosition): boolean {
  const afterStart = position.line > range.start.line || (position.line === range.start.line && position.character >= range.start.character);
  const beforeEnd = position.line < range.end.line || (position.line === range.end.line && position.character <= range.end.character);
  return afterStart && beforeEnd;
}

/** Lines first, so a one-line statement is always smaller than a multi-line one around it. */
function extent(range: JsonRange): number {
  return (range.end.line - range.start.line) * 1_000_000 + (range.end.character - range.start.character);
}

function onLine(range: JsonRange, line: number): boolean {
  return range.start.line <= line && line <= range.end.line;
}

export function nodesAtPosition(graph: GraphJson, position: JsonPosition): number[] {
  const exact = innermost(graph, (range) => contains(range, position));
  // The cursor past the end of a line (or in its indentation) still means that line's statement.
  return exact.length > 0 ? exact : innermost(graph, (range) => onLine(range, position.line));
}

function innermost(graph: GraphJson, matches: (range: JsonRange) => boolean): number[] {
  let best = Infinity;
  let ids: number[] = [];
  for (const node of graph.nodes) {
    const ranges = [node.range, ...node.scope.map((s) => s.range)].filter(matches);
    if (ranges.length === 0) continue;
    const size = Math.min(...ranges.map(extent));
    if (size < best) {
      best = size;
      ids = [node.id];
    } else if (size === best) {
      ids.push(node.id);
    }
  }
  return ids;
}
