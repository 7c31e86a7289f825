import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelFileError } from '../engine/model-file';
import { startPredictionService, type ServiceOptions } from '../engine/service';

/** `convlab serve RUN`: the prediction service until Ctrl+C. */
export async function runServe(run: string, options: Omit<ServiceOptions, 'run' | 'file'>, out: (text: string) => void): Promise<number> {
  const summaryPath = join(run, 'summary.json');
  if (!existsSync(summaryPath)) throw new ModelFileError(`${run} has no summary.json: serve a run that finished training`);
  const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as { file: string; model: string; dataset?: { classes?: string[] } };
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
