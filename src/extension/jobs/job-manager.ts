/**
 * Training jobs: each one an engine process (`convlab train --json`) whose events drive a progress
 * notification with Cancel, the status bar and the run's dashboard. Jobs beyond
 * `convlab.maxConcurrentJobs` wait their turn. The extension host only relays: all the work is in
 * the engine process.
 */
import * as vscode from 'vscode';
import { relative } from 'node:path';
import type { EngineEvent } from '../../protocol/engine';
import { COMMANDS } from '../../protocol/lsp';
import type { RunHistory } from '../../protocol/webview';
import type { ConvLabSettings } from '../config';
import type { LiveRuns } from '../panels/dashboard-panel';
import type { TrainingStatusBar } from '../status-bar';
import { trainArguments, type TrainTarget } from './engine-command';
import type { RunOutcome } from './engine-events';
import { EngineProcess } from './engine-process';
import { describeEstimate, formatDuration, type EpochEstimate, type ThroughputStore } from './estimate';
import { JobQueue } from './job-queue';
import type { EngineRuntime } from './node-runtime';
import { percent, RunProgress } from './run-progress';

export interface TrainRequest {
  target: TrainTarget;
  settings: ConvLabSettings;
  estimate: EpochEstimate;
  /** Training multiply-adds per example, to turn measured images/s into this machine's MACs/s. */
  trainingMacsPerExample: number;
}

/** How long a closing VS Code waits for cancelled engines to save their checkpoints. */
const SHUTDOWN_GRACE_MS = 3000;
/** Finished runs whose events the dashboard can still be given without their folder. */
const ENDED_RUNS_KEPT = 20;

export class TrainJob {
  private static count = 0;
  readonly id = ++TrainJob.count;
  readonly progress: RunProgress;
  engine: EngineProcess | undefined;
  cancelRequested = false;
  report: ((value: { message?: string; increment?: number }) => void) | undefined;
  reportedPercent = 0;
  private resolveEnded!: () => void;
  /** Resolves when the job is over, whichever way. */
  readonly ended = new Promise<void>((resolve) => (this.resolveEnded = resolve));

  constructor(readonly request: TrainRequest) {
    this.progress = new RunProgress(request.target.model);
  }

  end(): void {
    this.resolveEnded();
  }
}

export interface JobManagerDeps {
  /** bin/convlab.js of this extension. */
  cliPath: string;
  log: vscode.LogOutputChannel;
  statusBar: TrainingStatusBar;
  throughput: ThroughputStore;
  runtime: (settings: ConvLabSettings) => Promise<EngineRuntime & { notes: string[] }>;
}

export class JobManager implements LiveRuns, vscode.Disposable {
  private readonly queue: JobQueue<TrainJob>;
  private readonly runEvents = new vscode.EventEmitter<{ runDir: string; event: EngineEvent }>();
  private readonly runStarted = new vscode.EventEmitter<TrainJob>();
  readonly onDidRunEvent = this.runEvents.event;
  /** A run's folder is known (its `start` event came): the dashboard can open. */
  readonly onDidStartRun = this.runStarted.event;

  constructor(private readonly deps: JobManagerDeps, maxConcurrentJobs: number) {
    this.queue = new JobQueue(maxConcurrentJobs);
  }

  setMaxConcurrent(max: number): void {
    this.queue.setMaxConcurrent(max);
    this.pump();
  }

  get jobs(): TrainJob[] {
    return [...this.queue.runningJobs, ...this.queue.waitingJobs];
  }

  submit(request: TrainRequest): TrainJob {
    const job = new TrainJob(request);
    this.queue.enqueue(job);
    this.pump();
    const ahead = this.queue.position(job);
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Training ${request.target.model}`, cancellable: true }, (progress, token) => {
      job.report = (value) => progress.report(value);
      progress.report({ message: ahead >= 0 ? `waiting: ${this.queue.runningJobs.length + ahead} job(s) ahead. ${describeEstimate(request.estimate)}` : describeEstimate(request.estimate) });
      token.onCancellationRequested(() => this.cancel(job));
      return job.ended;
    });
    return job;
  }

  /** A waiting job leaves the queue; a running one finishes its batch, saves `last/` and stops. */
  cancel(job: TrainJob): void {
    if (this.queue.withdraw(job)) {
      this.deps.log.info(`job ${job.id} (${job.request.target.model}) cancelled before it started`);
      job.end();
      this.publishStatus();
      return;
    }
    job.cancelRequested = true;
    job.engine?.cancel();
    job.report?.({ message: 'cancelling: finishing the batch and saving a checkpoint…' });
  }

  cancelRun(runDir: string): boolean {
    const job = this.queue.runningJobs.find((j) => j.progress.runDir === runDir);
    if (!job) return false;
    this.cancel(job);
    return true;
  }

  history(runDir: string): RunHistory | undefined {
    const job = this.queue.runningJobs.find((j) => j.progress.runDir === runDir);
    const events = job ? job.progress.events : this.ended.get(runDir);
    return events ? { name: runDir.split(/[\\/]/).pop() ?? runDir, runDir, events: [...events] } : undefined;
  }

  /**
   * The events of runs that ended in this session, newest last: a run that failed at its start
   * has no record in its folder, and its dashboard must still show the error, not wait for ever.
   */
  private readonly ended = new Map<string, readonly EngineEvent[]>();

  private keepEnded(job: TrainJob): void {
    const { runDir, events } = job.progress;
    if (!runDir) return;
    this.ended.delete(runDir);
    this.ended.set(runDir, [...events]);
    while (this.ended.size > ENDED_RUNS_KEPT) this.ended.delete(this.ended.keys().next().value!);
  }

  /** VS Code is closing: cancel every run so it keeps its checkpoint; end what does not stop in time. */
  async dispose(): Promise<void> {
    for (const job of this.queue.waitingJobs) this.queue.withdraw(job);
    const running = this.queue.runningJobs.filter((j) => j.engine);
    running.forEach((job) => job.engine?.cancel());
    const grace = new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS).unref());
    await Promise.race([Promise.all(running.map((j) => j.engine?.outcome)), grace]);
    running.forEach((job) => job.engine?.kill());
    this.runEvents.dispose();
    this.runStarted.dispose();
  }

  private pump(): void {
    for (const job of this.queue.next()) void this.run(job);
    this.publishStatus();
  }

  private async run(job: TrainJob): Promise<void> {
    const { target, settings } = job.request;
    const log = this.deps.log;
    try {
      const runtime = await this.deps.runtime(settings);
      runtime.notes.forEach((note) => log.info(`engine runtime: passed over ${note}`));
      if (job.cancelRequested) {
        log.info(`job ${job.id} (${target.model}) cancelled before its engine started`);
        return;
      }
      const args = trainArguments(this.deps.cliPath, target, settings);
      log.info(`job ${job.id}: training ${target.model} with ${runtime.description}: ${[runtime.command, ...args].join(' ')}`);
      log.info(`job ${job.id}: estimate before the run: ${describeEstimate(job.request.estimate)}`);
      job.engine = new EngineProcess({ command: runtime.command, args, cwd: target.baseDir, env: runtime.env }, {
        onEvent: (event) => this.onEvent(job, event),
        onLog: (line, stream) => (stream === 'stderr' ? log.warn(`engine: ${line}`) : log.info(`engine: ${line}`)),
        onInvalid: (error) => log.error(`job ${job.id} (${target.model}): ${error}`),
      });
      this.finish(job, await job.engine.outcome);
    } catch (error) {
      this.finish(job, { kind: 'crashed', message: `the engine could not start: ${(error as Error).message}`, stderrTail: '' });
    } finally {
      this.queue.finish(job);
      this.keepEnded(job);
      job.end();
      this.pump();
    }
  }

  private onEvent(job: TrainJob, event: EngineEvent): void {
    const { progress, request } = job;
    progress.apply(event);
    const throughput = this.deps.throughput;
    switch (event.type) {
      case 'start':
        this.runStarted.fire(job);
        break;
      case 'backend':
        this.deps.log.info(`job ${job.id}: backend ${event.name}: ${event.reason}`);
        if (request.settings.backend === 'auto') void throughput.recordBackend(event.name);
        break;
      case 'dataset':
        // Only an unlimited run tells the model's real epoch size; a limited one says the limit.
        if (request.settings.trainLimit === undefined) void throughput.recordEpochExamples(request.target.file, request.target.model, event.trainExamples);
        break;
      case 'epochEnd':
        if (progress.backend) void throughput.recordThroughput(progress.backend, event.examplesPerSecond, request.trainingMacsPerExample);
        break;
      default:
        break;
    }
    if (progress.runDir) this.runEvents.fire({ runDir: progress.runDir, event });
    if (!job.cancelRequested) this.reportProgress(job);
    this.publishStatus();
  }

  private reportProgress(job: TrainJob): void {
    const percentDone = Math.floor(job.progress.fraction() * 100);
    const increment = Math.max(0, percentDone - job.reportedPercent);
    job.reportedPercent += increment;
    const message = job.progress.epoch === 0 ? `${job.progress.detailText()} ${describeEstimate(job.request.estimate)}` : job.progress.detailText();
    job.report?.({ message, ...(increment > 0 ? { increment } : {}) });
  }

  private publishStatus(): void {
    this.deps.statusBar.update({ running: this.queue.runningJobs.map((j) => j.progress), waiting: this.queue.waitingJobs.length });
  }

  private finish(job: TrainJob, outcome: RunOutcome): void {
    const { model } = job.request.target;
    const log = this.deps.log;
    const backend = job.progress.backend ?? 'the engine';
    switch (outcome.kind) {
      case 'done': {
        const text = `${model} trained: test accuracy ${percent(outcome.event.testAccuracy)} · ${formatDuration(outcome.event.trainingSeconds)} on ${backend}`;
        log.info(`job ${job.id}: ${text} (${outcome.event.runDir})`);
        void this.offerDashboard(`ConvLab: ${text}.`, outcome.event.runDir);
        break;
      }
      case 'cancelled': {
        const checkpoint = relative(job.request.target.baseDir, outcome.event.checkpoint) || outcome.event.checkpoint;
        const text = `${model} cancelled in epoch ${outcome.event.epoch} after batch ${outcome.event.batch}; its checkpoint is in ${checkpoint}`;
        log.info(`job ${job.id}: ${text}`);
        void this.offerDashboard(`ConvLab: ${text}.`, outcome.event.runDir);
        break;
      }
      case 'error':
        log.error(`job ${job.id}: ${model} failed: ${outcome.message}${outcome.stderrTail ? `\n${outcome.stderrTail}` : ''}`);
        void this.showFailure(`ConvLab: training ${model} failed: ${outcome.message}`, outcome.location);
        break;
      case 'crashed': {
        log.error(`job ${job.id}: ${model} crashed: ${outcome.message}${outcome.stderrTail ? `\n${outcome.stderrTail}` : ''}`);
        const tail = outcome.stderrTail.split('\n').slice(-6).join('\n');
        void this.showFailure(`ConvLab: training ${model} failed: ${outcome.message}.${tail ? `\n${tail}` : ''}`);
        break;
      }
    }
  }

  private async offerDashboard(text: string, runDir: string): Promise<void> {
    const choice = await vscode.window.showInformationMessage(text, 'Show dashboard');
    if (choice) await vscode.commands.executeCommand(COMMANDS.openRun, runDir);
  }

  private async showFailure(text: string, location?: { file: string; line: number; column: number }): Promise<void> {
    const actions = [...(location ? ['Go to error'] : []), 'Open log'];
    const choice = await vscode.window.showErrorMessage(text, ...actions);
    if (choice === 'Open log') this.deps.log.show(true);
    if (choice === 'Go to error' && location) {
      const position = new vscode.Position(Math.max(0, location.line - 1), Math.max(0, location.column - 1));
      await vscode.window.showTextDocument(vscode.Uri.file(location.file), { selection: new vscode.Range(position, position) });
    }
  }
}
