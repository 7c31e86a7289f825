/**
 * How each kind of layer looks: a category (its CSS class carries the theme colour, see
 * media/architecture.css) and a shape, so the kinds stay apart in high-contrast themes and for
 * readers who do not tell the colours apart.
 */

export type LayerCategory =
  | 'input' | 'convolution' | 'pooling' | 'normalization' | 'activation'
  | 'dense' | 'merge' | 'reshaping' | 'regularization' | 'other';

export type NodeShape = 'parallelogram' | 'rect' | 'trapezoid' | 'rounded' | 'stadium' | 'chamfered' | 'hexagon' | 'tag';

export interface CategoryStyle {
  category: LayerCategory;
  /** What the legend says. */
  label: string;
  shape: NodeShape;
}

export const CATEGORY_STYLES: readonly CategoryStyle[] = [
  { category: 'input', label: 'Input', shape: 'parallelogram' },
  { category: 'convolution', label: 'Convolution', shape: 'rect' },
  { category: 'pooling', label: 'Pooling (downsamples)', shape: 'trapezoid' },
  { category: 'normalization', label: 'Normalization', shape: 'rounded' },
  { category: 'activation', label: 'Activation', shape: 'stadium' },
  { category: 'dense', label: 'Dense', shape: 'chamfered' },
  { category: 'merge', label: 'Merge (add, concatenate)', shape: 'hexagon' },
  { category: 'reshaping', label: 'Reshaping (flatten, padding)', shape: 'tag' },
  { category: 'regularization', label: 'Regularization (dropout)', shape: 'rounded' },
  { category: 'other', label: 'Other', shape: 'rect' },
];

const styleOf = new Map(CATEGORY_STYLES.map((s) => [s.category, s]));

const ACTIVATION_TYPES = new Set(['ReLU', 'LeakyReLU', 'ELU', 'Activation', 'Softmax', 'PReLU']);

/** The category of a Keras-style type name (GraphNodeJson.type): Conv2D, MaxPooling2D, Add. */
export function categoryOf(type: string): LayerCategory {
  if (type === 'Input' || type === 'InputLayer') return 'input';
  if (type.includes('Conv')) return 'convolution';
  if (type.includes('Pooling')) return 'pooling';
  if (type.includes('Normalization')) return 'normalization';
  if (ACTIVATION_TYPES.has(type)) return 'activation';
  if (type === 'Dense') return 'dense';
  if (type === 'Add' || type === 'Concatenate') return 'merge';
  if (type === 'Flatten' || type === 'Reshape' || type.includes('Padding')) return 'reshaping';
  if (type.includes('Dropout')) return 'regularization';
  return 'other';
}

export function styleOfCategory(category: LayerCategory): CategoryStyle {
  return styleOf.get(category)!;
}

/** The outline of a node of width w and height h, with its top-left corner at the origin. */
export function shapePath(shape: NodeShape, w: number, h: number): string {
  const slant = Math.min(12, w / 8);
  switch (shape) {
    case 'parallelogram':
      return polygon([[slant, 0], [w, 0], [w - slant, h], [0, h]]);
    case 'trapezoid':
      return polygon([[0, 0], [w, 0], [w - slant, h], [slant, h]]);
    case 'hexagon':
      return polygon([[slant, 0], [w - slant, 0], [w, h / 2], [w - slant, h], [slant, h], [0, h / 2]]);
    case 'chamfered': {
      const c = Math.min(8, h / 4);
      return polygon([[c, 0], [w - c, 0], [w, c], [w, h - c], [w - c, h], [c, h], [0, h - c], [0, c]]);
    }
    case 'tag': {
      const notch = Math.min(8, h / 4);
      return polygon([[0, 0], [w, 0], [w, h - notch], [w / 2, h], [0, h - notch]]);
    }
    case 'stadium':
      return roundedRect(w, h, h / 2);
    case 'rounded':
      return roundedRect(w, h, Math.min(8, h / 4));
    case 'rect':
      return roundedRect(w, h, 1.5);
  }
}

function polygon(points: [number, number][]): string {
  return `M${points.map(([x, y]) => `${round(x)},${round(y)}`).join('L')}Z`;
}

function roundedRect(w: number, h: number, r: number): string {
  const rr = Math.min(r, w / 2, h / 2);
  return `M${rr},0H${w - rr}A${rr},${rr} 0 0 1 ${w},${rr}V${h - rr}A${rr},${rr} 0 0 1 ${w - rr},${h}H${rr}A${rr},${rr} 0 0 1 0,${h - rr}V${rr}A${rr},${rr} 0 0 1 ${rr},0Z`;
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
