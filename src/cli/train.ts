import { SingleBar } from 'cli-progress';
import { createInterface } from 'node:readline';
import type { EngineEvent } from '../protocol/engine';
import { DatasetError } from '../engine/data/index';
import { ModelFileError } from '../engine/model/model-file';
import { train, type TrainOptions } from '../engine/training/trainer';
import { bytes } from './format';

export interface TrainCliOptions extends Omit<TrainOptions, 'onEvent' | 'signal' | 'onDownload'> {
  json?: boolean;
}

const CANCELLED_EXIT = 130;

/** `convlab train`: exit 0 when done, 1 on an error, 130 when cancelled. */
export async function runTrain(options: TrainCliOptions): Promise<number> {
  const controller = new AbortController();
  const stopListening = listenForCancel(controller, options.json === true);
  const view = options.json ? new JsonView() : new TerminalView();
  try {
    const result = await train({ ...options, signal: controller.signal, onEvent: (event) => view.show(event), onDownload: (r, t, f) => view.download(r, t, f) });
    return result.type === 'done' ? 0 : CANCELLED_EXIT;
  } catch (error) {
    view.fail(error);
    return 1;
  } finally {
    view.close();
    stopListening();
  }
}

/** Cancel on a `{"type":"cancel"}` line on stdin (works on every OS), or on SIGINT/SIGTERM. */
function listenForCancel(controller: AbortController, readStdin: boolean): () => void {
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(CANCELLED_EXIT);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const lines = readStdin && !process.stdin.isTTY ? createInterface({ input: process.stdin }) : undefined;
  lines?.on('line', (line) => {
    try {
      if ((JSON.parse(line) as { type?: string }).type === 'cancel') controller.abort();
    } catch {
      process.stderr.write(`convlab: ignored a stdin line that is not JSON: ${line.slice(0, 80)}\n`);
    }
  });
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    lines?.close();
    process.stdin.unref?.();
  };
}

interface View {
  show(event: EngineEvent): void;
  download(received: number, total: number | undefined, file: string): void;
  fail(error: unknown): void;
  close(): void;
}

function errorEvent(error: unknown): EngineEvent {
  if (error instanceof ModelFileError && error.location) return { type: 'error', message: error.message, location: error.location };
  return { type: 'error', message: error instanceof Error ? error.message : String(error) };
}

function isUserError(error: unknown): boolean {
  return error instanceof ModelFileError || error instanceof DatasetError;
}

/** One typed event per line, for the extension and for scripts. */
class JsonView implements View {
  show(event: EngineEvent): void {
    process.stdout.write(`${JSON.stringify(event)}\n`);
  }
  download(): void {}
  fail(error: unknown): void {
    this.show(errorEvent(error));
    if (!isUserError(error) && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  }
  close(): void {}
}

/** Progress bars and a row per epoch, for a person at a terminal. */
class TerminalView implements View {
  private bar: SingleBar | undefined;
  private downloadBar: SingleBar | undefined;
  private readonly interactive = process.stderr.isTTY === true;

  show(event: EngineEvent): void {
    switch (event.type) {
      case 'start':
        this.print(`Training ${event.model} (${event.params.total.toLocaleString('en-US')} parameters) for ${event.epochs} epochs, batch ${event.batchSize}${event.resumedFrom ? `, resuming from ${event.resumedFrom}` : ''}\nRun folder: ${event.runDir}`);
        break;
      case 'backend':
        this.print(`Backend: ${event.name} (${event.reason})${(event.replicas ?? 1) > 1 ? `; ${event.replicas} replica threads share each batch` : ''}`);
        break;
      case 'dataset':
        this.stopDownload();
        this.print(`Data: ${event.name} from ${event.source}: ${event.trainExamples.toLocaleString('en-US')} train, ${event.validationExamples.toLocaleString('en-US')} validation, ${event.testExamples.toLocaleString('en-US')} test${event.notes.length ? `\n  ${event.notes.join('\n  ')}` : ''}`);
        break;
      case 'stage': {
        const { params } = event;
        if (event.stages > 1) {
          this.print(`Stage ${event.stage}/${event.stages} (${event.name}), epochs ${event.fromEpoch}–${event.fromEpoch + event.epochs - 1}, learning rate ${event.learningRate}: ${params.trainable.toLocaleString('en-US')} trainable, ${params.nonTrainable.toLocaleString('en-US')} non-trainable parameters`);
        }
        break;
      }
      case 'epochBegin':
        if (this.interactive) {
          this.bar = new SingleBar({ format: `Epoch ${event.epoch}/${event.epochs} [{bar}] {value}/{total} batches · loss {loss} · acc {acc} · {speed} img/s`, stream: process.stderr, hideCursor: true, clearOnComplete: true }, undefined);
          this.bar.start(event.batches, 0, { loss: '-', acc: '-', speed: '-' });
        }
        break;
      case 'batch':
        this.bar?.update(event.batch, { loss: event.loss.toFixed(4), acc: percent(event.accuracy), speed: Math.round(event.examplesPerSecond) });
        break;
      case 'epochEnd': {
        this.bar?.stop();
        this.bar = undefined;
        const validation = event.valLoss !== undefined ? ` · val loss ${event.valLoss.toFixed(4)} · val acc ${percent(event.valAccuracy!)}` : '';
        this.print(`Epoch ${event.epoch}/${event.epochs}: loss ${event.loss.toFixed(4)} · acc ${percent(event.accuracy)}${validation} · ${event.seconds.toFixed(1)} s (${Math.round(event.examplesPerSecond)} img/s)`);
        break;
      }
      case 'checkpoint':
        break;
      case 'done':
        if (event.testIsValidation) this.print(`Accuracy on the validation images (no separate test split; the checkpoint${event.bestEpoch !== undefined ? ` of epoch ${event.bestEpoch}` : ''} was chosen on them, so it is optimistic): ${percent(event.testAccuracy)}`);
        this.print(`${event.testIsValidation ? 'Reported as test accuracy' : 'Test accuracy'}: ${percent(event.testAccuracy)} · training time: ${event.trainingSeconds.toFixed(1)} s${event.stoppedEarly ? ` (stopped early; best epoch ${event.bestEpoch})` : ''}`);
        break;
      case 'cancelled':
        this.bar?.stop();
        this.print(`Cancelled in epoch ${event.epoch} after batch ${event.batch}; saved ${event.checkpoint} (resume with --resume ${event.runDir})`);
        break;
      case 'error':
        process.stderr.write(`convlab: ${event.message}\n`);
        break;
    }
  }

  download(received: number, total: number | undefined, file: string): void {
    if (!this.interactive) return;
    if (!this.downloadBar) {
      this.downloadBar = new SingleBar({ format: `Downloading ${file} [{bar}] {received} of {size}`, stream: process.stderr }, undefined);
      this.downloadBar.start(total ?? 1, 0, { received: '0 B', size: total ? bytes(total) : '?' });
    }
    this.downloadBar.update(total ? received : 0, { received: bytes(received), size: total ? bytes(total) : '?' });
  }

  fail(error: unknown): void {
    this.bar?.stop();
    const message = error instanceof Error ? (isUserError(error) ? error.message : (error.stack ?? error.message)) : String(error);
    process.stderr.write(`convlab: ${message}\n`);
  }

  close(): void {
    this.bar?.stop();
    this.stopDownload();
  }

  private stopDownload(): void {
    this.downloadBar?.stop();
    this.downloadBar = undefined;
  }

  private print(text: string): void {
    process.stdout.write(`${text}\n`);
  }
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(2)}%`;
}

