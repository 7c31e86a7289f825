import { readRunSummary } from '../engine/training/run-folder';
import { startPredictionService, type ServiceOptions } from '../engine/service/prediction-http';

/** `convlab serve RUN`: the prediction service until Ctrl+C. */
export async function runServe(run: string, options: Omit<ServiceOptions, 'run' | 'file'>, out: (text: string) => void): Promise<number> {
  const summary = readRunSummary(run, 'serve');
  const service = await startPredictionService({ ...options, run, file: summary.file, model: summary.model, classes: summary.dataset?.classes });
  out([
    `Serving ${summary.model} from ${run} at ${service.url} (temperature ${service.temperature.toFixed(3)})`,
    `Token: ${service.token}`,
    `Try: curl -s -H "Authorization: Bearer ${service.token}" --data-binary @image.png ${service.url}/predict`,
  ].join('\n'));
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await service.close();
  return 0;
}
