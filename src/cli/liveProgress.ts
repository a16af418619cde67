import type { TroupeEvent } from '../events/types.js';
import { MetricsRecorder } from '../monitor/MetricsRecorder.js';

type Phase = 'starting' | 'planning' | 'running' | 'synthesizing' | 'completed' | 'failed' | 'cancelled';

const barWidth = 20;

function compact(n: number): string {
  return n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)}M` : n >= 1_000 ? `${(n / 1_000).toFixed(1)}k` : String(n);
}

/**
 * The live status line of `troupe run` and `troupe resume` on a terminal: a progress bar, tasks
 * by status (running, waiting for an answer, in review, failed), completion rate, tokens, cost
 * and elapsed time. It folds the run's events through the Monitor's `MetricsRecorder`, so the
 * terminal and the dashboard count alike. Redraw it with `\r` on a timer; it clears the rest of
 * the line so a shorter line leaves nothing behind.
 *
 * @example
 * const progress = new LiveProgress({ columns: process.stdout.columns });
 * handle.events$.subscribe((event) => progress.update(event));
 * setInterval(() => process.stdout.write(`\r${progress.render()}`), 100);
 * // => [##########..........] running · 5/10 done · 3 running · 1 waiting · 4.0 tasks/s · 1.2k tokens · $0.0021 · 2.5s
 */
export class LiveProgress {
  private readonly recorder = new MetricsRecorder();
  private readonly columns: number | undefined;
  private phase: Phase = 'starting';
  private startedAt: number | undefined;
  private endedAt: number | undefined;
  private total = 0;
  private inReview = 0;

  constructor(options: { columns?: number } = {}) {
    this.columns = options.columns;
  }

  /** Folds one event of the run. */
  update(event: TroupeEvent): void {
    this.recorder.fold(event);
    const type: string = event.type;
    if (type === 'review.requested') this.inReview += 1;
    else if (type === 'review.decided') this.inReview = Math.max(0, this.inReview - 1);
    switch (event.type) {
      case 'run.started':
        this.startedAt ??= event.ts;
        this.phase = 'planning';
        return;
      case 'plan.created':
        this.total = event.tasks.length;
        this.phase = 'running';
        return;
      case 'run.completed':
      case 'run.failed':
      case 'run.cancelled':
        this.phase =
          event.type === 'run.completed' ? 'completed' : event.type === 'run.failed' ? 'failed' : 'cancelled';
        this.endedAt = event.ts;
        return;
      default:
        if (this.phase === 'starting') this.startedAt ??= event.ts;
    }
  }

  /** The line as it stands at `now` (ms since the epoch), ending with an erase-to-end-of-line code. */
  render(now: number = Date.now()): string {
    const m = this.recorder.snapshot(now);
    const done = m.tasks.completed + m.tasks.failed;
    const phase = this.phase === 'running' && this.total > 0 && done === this.total ? 'synthesizing' : this.phase;
    const filled = this.total === 0 ? 0 : Math.min(barWidth, Math.round((done / this.total) * barWidth));
    const seconds = Math.max(0, ((this.endedAt ?? now) - (this.startedAt ?? now)) / 1000);
    const parts = [
      `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${phase}`,
      `${m.tasks.completed}/${this.total} done`,
      `${m.tasks.running} running`,
      m.clarifications.pending > 0 ? `${m.clarifications.pending} waiting for an answer` : '',
      this.inReview > 0 ? `${this.inReview} in review` : '',
      m.tasks.failed > 0 ? `${m.tasks.failed} failed` : '',
      m.tasks.retries > 0 ? `${m.tasks.retries} retried` : '',
      `${m.tasks.perSecond.toFixed(1)} tasks/s`,
      m.model.inputTokens + m.model.outputTokens > 0
        ? `${compact(m.model.inputTokens + m.model.outputTokens)} tokens`
        : '',
      m.cost.totalUsd > 0 ? `$${m.cost.totalUsd.toFixed(4)}` : '',
      `${seconds.toFixed(1)}s`,
    ].filter((p) => p !== '');
    const line = parts.join(' · ');
    const fitted =
      this.columns !== undefined && line.length > this.columns - 1 ? `${line.slice(0, this.columns - 2)}…` : line;
    return `${fitted}\x1b[K`;
  }
}
