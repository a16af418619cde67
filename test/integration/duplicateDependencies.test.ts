import { describe, expect, it } from 'vitest';
import { memoryLog } from '../../src/log/memoryLog.js';
import { scriptedModel } from '../../src/model/scriptedModel.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';
import { eventsOf, fastRetry, simpleTool } from './support.js';

describe('a plan naming a dependency twice', () => {
  it('runs each dependent task once: a tool task calls its tool once, a processing task ends cleanly', async () => {
    let calls = 0;
    const post = simpleTool('post', () => {
      calls += 1;
      return { posted: calls };
    });
    const log = memoryLog();
    const model = scriptedModel({
      plan: () => ({
        tasks: [
          { id: 'a', description: 'draft', kind: 'processing' },
          { id: 'b', description: 'post it', kind: 'tool_call', tool: 'post', input: {}, dependsOn: ['a', 'a'] },
          { id: 'c', description: 'summarise', kind: 'processing', dependsOn: ['a', 'b', 'a', 'b'] },
        ],
      }),
    });
    const runtime = createRuntime({ log, model, tools: [post], retry: fastRetry });
    const handle = runtime.run('draft and post');
    const result = await handle.result;
    // Give a second release of `b` or `c` the time to show itself before the runtime closes.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await runtime.close();
    expect(result.status).toBe('completed');
    expect(calls).toBe(1);
    const started = await eventsOf(log, handle.runId, 'task.started');
    expect(started.map((e) => e.taskId).sort()).toEqual(['a', 'b', 'c']);
    const [plan] = await eventsOf(log, handle.runId, 'plan.created');
    expect(plan?.tasks.map((t) => t.dependsOn)).toEqual([[], ['a'], ['a', 'b']]);
  });
});
