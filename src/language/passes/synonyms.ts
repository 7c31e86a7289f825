import { closest } from '../diagnostic-sink';

/**
 * Other frameworks' words for the language's options, as people write them from PyTorch and
 * Keras code: `padding 1` means `pad 1`. Edit distance alone misses these (padding → pad is 4).
 */
const FOREIGN_WORDS: Record<string, string> = {
  padding: 'pad',
  strides: 'stride',
  kernel_size: 'kernel',
  pool_size: 'kernel',
  dilation_rate: 'dilation',
  out_channels: 'filters',
  depth_multiplier: 'multiplier',
  epsilon: 'eps',
  use_bias: 'bias',
  ceil_mode: 'ceil',
};

/** The option meant by a word that is not one: a known synonym first, else the closest spelling. */
export function suggestOption(word: string, choices: readonly string[]): string | undefined {
  const synonym = FOREIGN_WORDS[word.toLowerCase()];
  if (synonym !== undefined && choices.includes(synonym)) return synonym;
  return closest(word, choices);
}
