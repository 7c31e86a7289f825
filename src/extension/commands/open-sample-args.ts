/**
 * The arguments of `convlab.openSample`, as a walkthrough's command link writes them:
 * `command:convlab.openSample?["lenet5.cnn",10,"summary"]`: a sample shipped in samples/, the
 * 1-based line to put the cursor on, and the view to open beside it. No arguments: LeNet-5.
 */
export const SAMPLE_VIEWS = ['architecture', 'summary'] as const;
export type SampleView = (typeof SAMPLE_VIEWS)[number];

export interface OpenSampleArgs {
  sample: string;
  line?: number;
  view?: SampleView;
}

export const DEFAULT_SAMPLE = 'lenet5.cnn';

/** A sample's file name only: a link cannot reach outside samples/. */
const SAMPLE_NAME = /^[A-Za-z0-9][\w.-]*\.cnn$/;

/** The checked arguments, or an error that says which one is wrong and why. */
export function parseOpenSampleArgs(args: readonly unknown[]): OpenSampleArgs {
  const [sample = DEFAULT_SAMPLE, line, view] = args;
  if (typeof sample !== 'string' || !SAMPLE_NAME.test(sample)) {
    throw new Error(`openSample: the sample must be a .cnn file name in samples/ (like "lenet5.cnn"), not ${JSON.stringify(sample)}`);
  }
  if (line !== undefined && line !== null && !(typeof line === 'number' && Number.isInteger(line) && line >= 1)) {
    throw new Error(`openSample: the line must be a whole number from 1, not ${JSON.stringify(line)}`);
  }
  if (view !== undefined && view !== null && !SAMPLE_VIEWS.includes(view as SampleView)) {
    throw new Error(`openSample: the view must be one of ${SAMPLE_VIEWS.join(', ')}, not ${JSON.stringify(view)}`);
  }
  return { sample, ...(typeof line === 'number' ? { line } : {}), ...(typeof view === 'string' ? { view: view as SampleView } : {}) };
}
