import { describe, expectTypeOf, it } from 'vitest';
import type { TroupeError } from '../../src/errors.js';
import type { RecordedError } from '../../src/events/types.js';
import { createRuntime, type RunResult, type TaskSummary } from '../../src/index.js';

describe('RunResult types', () => {
  it('is a union discriminated on `status`: a completed run has a string answer', () => {
    const result = { status: 'failed', failed: [], tasks: [] } as unknown as RunResult;
    if (result.status === 'completed') {
      expectTypeOf(result.answer).toEqualTypeOf<string>();
      expectTypeOf(result.error).toEqualTypeOf<undefined>();
    } else {
      expectTypeOf(result.status).toEqualTypeOf<'failed' | 'cancelled'>();
      expectTypeOf(result.error).toEqualTypeOf<TroupeError>();
      expectTypeOf(result.answer).toEqualTypeOf<undefined>();
    }
    expectTypeOf(result.failed[0]?.error).toEqualTypeOf<RecordedError | undefined>();
  });

  it('carries each task’s outcome, discriminated on its `status`', () => {
    const task = { status: 'skipped' } as unknown as TaskSummary;
    if (task.status === 'completed') expectTypeOf(task.output).toEqualTypeOf<unknown>();
    if (task.status === 'failed') expectTypeOf(task.error).toEqualTypeOf<RecordedError>();
    if (task.status === 'skipped') {
      expectTypeOf(task.dependency).toEqualTypeOf<string>();
      expectTypeOf(task.output).toEqualTypeOf<undefined>();
    }
  });

  it('is what a run handle resolves with', () => {
    const runtime = createRuntime();
    expectTypeOf(runtime.run('x').result).resolves.toEqualTypeOf<RunResult>();
    void runtime.close();
  });
});
