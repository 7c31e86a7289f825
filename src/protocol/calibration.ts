/** One bin of a reliability diagram: confidence range, examples, mean confidence and accuracy. */
export interface ReliabilityBinJson {
  lower: number;
  upper: number;
  count: number;
  confidence: number;
  accuracy: number;
}
