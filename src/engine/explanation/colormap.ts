/**
 * Matplotlib's inferno colour map (perceptually uniform, readable in grey), from eight of its
 * control colours with linear interpolation between them: enough for a heat map overlay.
 */
const INFERNO: [number, number, number][] = [
  [0, 0, 4], [40, 11, 84], [101, 21, 110], [159, 42, 99], [212, 72, 66], [245, 125, 21], [250, 193, 39], [252, 255, 164],
];

export function interpolateInferno(t: number): [number, number, number] {
  const v = Math.min(1, Math.max(0, t)) * (INFERNO.length - 1);
  const i = Math.min(INFERNO.length - 2, Math.floor(v));
  const f = v - i;
  const a = INFERNO[i]!;
  const b = INFERNO[i + 1]!;
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}
