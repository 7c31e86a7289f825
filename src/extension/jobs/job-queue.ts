/**
 * Training jobs wait in a first-in, first-out queue until a slot is free
 * (`convlab.maxConcurrentJobs`). Pure bookkeeping: starting and stopping processes is the job
 * manager's part, which calls `next()` whenever something changed.
 */
export class JobQueue<Job> {
  private readonly waiting: Job[] = [];
  private readonly running = new Set<Job>();

  constructor(private maxConcurrent: number) {}

  /** Changing the setting takes effect at the next `next()`; running jobs are never stopped for it. */
  setMaxConcurrent(max: number): void {
    this.maxConcurrent = max;
  }

  get limit(): number {
    return Math.max(1, Math.floor(this.maxConcurrent) || 1);
  }

  enqueue(job: Job): void {
    this.waiting.push(job);
  }

  /** The jobs that may start now, moved from waiting to running, oldest first. */
  next(): Job[] {
    const started: Job[] = [];
    while (this.waiting.length > 0 && this.running.size < this.limit) {
      const job = this.waiting.shift() as Job;
      this.running.add(job);
      started.push(job);
    }
    return started;
  }

  /** A running job ended: its slot is free. */
  finish(job: Job): void {
    this.running.delete(job);
  }

  /** Takes a job out of the queue before it started; false when it was not waiting. */
  withdraw(job: Job): boolean {
    const index = this.waiting.indexOf(job);
    if (index < 0) return false;
    this.waiting.splice(index, 1);
    return true;
  }

  /** How many jobs are ahead of a waiting one (0 for the first in line). */
  position(job: Job): number {
    return this.waiting.indexOf(job);
  }

  isRunning(job: Job): boolean {
    return this.running.has(job);
  }

  get runningJobs(): Job[] {
    return [...this.running];
  }

  get waitingJobs(): Job[] {
    return [...this.waiting];
  }
}
