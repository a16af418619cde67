// Planner–Worker–Judge: parallel workers research three topics and draft a post for each; a
// Judge rejects one draft (it is redone with the Judge's reasons), sends one to human review
// (approved here through the API), accepts the rest; two workers commit to the same global
// state key at once and one of them hits OCCConflict, re-reads and re-applies. Runs offline.
import { createGlobalState, createRuntime, scriptedModel, type TroupeEvent } from 'troupe';

const goal = 'Research three trending topics and draft a post for each';
const topics = ['ai-agents', 'rust', 'climate'];

const model = scriptedModel({
  plan: () => ({
    tasks: topics.flatMap((topic) => [
      { id: `research-${topic}`, description: `Research what is trending about ${topic}`, kind: 'processing' as const },
      {
        id: `draft-${topic}`,
        description: `Draft a short post about ${topic}`,
        kind: 'processing' as const,
        dependsOn: [`research-${topic}`],
      },
    ]),
  }),
  process: (task, request) => {
    const topic = task.id.replace(/^(research|draft)-/, '');
    if (task.id.startsWith('research-')) return `3 things people say about ${topic} this week`;
    // The first Rust draft rambles; redone after the Judge's rejection, it is told why (request.feedback).
    if (topic === 'rust' && request.feedback === undefined) {
      return `A very long, rambling post about ${topic} that goes on and on without a hook`;
    }
    return `${topic}: 3 things worth knowing this week 🧵`;
  },
  synthesize: (_goal, results) =>
    results
      .filter((r) => r.taskId.startsWith('draft-'))
      .map((r) => `- ${String(r.output)}`)
      .join('\n'),
});

/** The Judge: a rubric in code. Research is not judged; drafts are scored on length and hook. */
function scoreDraft(taskId: string, output: unknown): { score: number; reasons: string[] } {
  const text = String(output);
  if (text.length > 60) return { score: 0.4, reasons: ['too long for a post', 'no hook'] };
  if (taskId === 'draft-climate') return { score: 0.78, reasons: ['good, but the emoji may not fit the topic'] };
  return { score: 0.93, reasons: ['short', 'has a hook'] };
}

// Two research workers commit to one shared key. Both read it at the same version (the barrier
// makes that certain), so whichever commits second conflicts and re-applies on fresh state.
const globalState = createGlobalState();
let reads = 0;
let bothRead: () => void = () => {};
const barrier = new Promise<void>((resolve) => {
  bothRead = resolve;
});

const runtime = createRuntime({
  model,
  concurrency: 4,
  retry: { maxRetries: 2, initialDelayMs: 20, maxDelayMs: 100 },
  judge: {
    appliesTo: (task) => task.id.startsWith('draft-'),
    score: ({ taskId, output }) => scoreDraft(taskId, output),
  },
  globalState,
  commit: ({ taskId, output }) =>
    taskId === 'research-ai-agents' || taskId === 'research-rust'
      ? [
          {
            key: 'trending',
            apply: async (current: Record<string, string> | undefined) => {
              reads += 1;
              if (reads === 2) bothRead();
              await barrier;
              return { ...current, [taskId.replace('research-', '')]: String(output) };
            },
          },
        ]
      : [],
});

const started = Date.now();
function describe(event: TroupeEvent): string | undefined {
  switch (event.type) {
    case 'plan.created':
      return `planned ${event.tasks.length} tasks`;
    case 'task.started':
      return `${event.taskId} started (attempt ${event.attempt})`;
    case 'task.completed':
      return `${event.taskId} completed`;
    case 'task.retrying':
      return `${event.taskId} retried in ${event.delayMs} ms: ${event.error.message}`;
    case 'judge.scored':
      return `Judge: ${event.taskId} ${event.verdict} (score ${event.score ?? 'none'}: ${event.reasons.join('; ')})`;
    case 'review.requested':
      return `review ${event.reviewId} requested for ${event.taskId}`;
    case 'review.decided':
      return `review ${event.reviewId} ${event.decision}${event.note === undefined ? '' : ` ("${event.note}")`}`;
    case 'state.conflicted':
      return `OCCConflict: ${event.taskId} wrote \`${event.key}\` at v${event.expectedVersion}, stored v${event.actualVersion} → re-read, re-apply`;
    case 'state.committed':
      return `${event.taskId} committed \`${event.key}\` v${event.version}`;
    case 'run.completed':
      return 'run completed';
    case 'run.failed':
      return `run failed: ${event.error.message}`;
    default:
      return undefined;
  }
}

const handle = runtime.run(goal);
handle.events$.subscribe((event) => {
  const line = describe(event);
  if (line !== undefined) console.log(`${`+${Date.now() - started}ms`.padStart(8)}  ${line}`);
  // A human (here, the example) decides the doubtful draft through the API.
  if (event.type === 'review.requested') {
    void runtime.reviews.list().then(async (waiting) => {
      for (const review of waiting) await runtime.reviews.approve(review.id, 'fine for this audience');
    });
  }
});

const result = await handle.result;
console.log(`\nrun ${result.status}${result.status === 'completed' ? '' : `: ${result.error?.message}`}`);
console.log(result.answer ?? '');
const trending = globalState.read<Record<string, string>>('trending');
console.log(`\nglobal state \`trending\` at v${trending.version}: ${Object.keys(trending.value ?? {}).join(', ')}`);
await runtime.close();
process.exitCode = result.status === 'completed' ? 0 : 1;
