import { firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { TroupeError } from '../../src/errors.js';
import type { UnsequencedEvent } from '../../src/events/types.js';
import type { EventLog } from '../../src/log/EventLog.js';
import { memoryLog } from '../../src/log/memoryLog.js';
import { scriptedModel } from '../../src/model/scriptedModel.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';
import { fastRetry } from './support.js';

/** A memory log whose appends fail once `accepted` events are stored (a full disk, say). */
function failingLog(accepted: number): EventLog {
  const inner = memoryLog();
  let stored = 0;
  return {
    ...inner,
    append(events: readonly UnsequencedEvent[]) {
      if (stored + events.length > accepted) return Promise.reject(new Error('ENOSPC: no space left on device'));
      stored += events.length;
      return inner.append(events);
    },
  };
}

describe('a log that stops accepting events', () => {
  it('from the first event: the run ends failed with the log’s error, never rejecting', async () => {
    const runtime = createRuntime({ log: failingLog(0), retry: fastRetry });
    const handle = runtime.run('say hi');
    const result = await handle.result;
    expect(result.status).toBe('failed');
    expect(result.error).toBeInstanceOf(TroupeError);
    expect(result.error?.code).toBe('LOG_CLOSED');
    expect(result.error?.message).toContain('ENOSPC');
    await expect(firstValueFrom(handle.events$)).rejects.toMatchObject({ code: 'LOG_CLOSED' });
    await runtime.close();
  });

  it('refusing a processing step’s model call: the run ends failed with the refusal, never waiting forever', async () => {
    const inner = memoryLog();
    const log: EventLog = {
      ...inner,
      append(events: readonly UnsequencedEvent[]) {
        const refused = events.find((e) => e.type === 'model.called' && e.taskId !== undefined);
        if (refused !== undefined) return Promise.reject(new TroupeError('EVENT_INVALID', 'model.called refused'));
        return inner.append(events);
      },
    };
    const model = scriptedModel({
      plan: () => ({ tasks: [{ id: 'write', description: 'Write it', kind: 'processing' as const }] }),
    });
    const runtime = createRuntime({ log, model, retry: fastRetry });
    const result = await runtime.run('write it').result;
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('EVENT_INVALID');
    await runtime.close();
  });

  it('mid-run: the run ends failed with the log’s error, keeping what was stored', async () => {
    const log = failingLog(3);
    const runtime = createRuntime({ log, retry: fastRetry });
    const handle = runtime.run('say hi');
    const result = await handle.result;
    expect(result.status).toBe('failed');
    expect(result.error?.message).toContain('ENOSPC');
    expect(await log.read(handle.runId)).toHaveLength(3);
    await runtime.close();
  });
});
