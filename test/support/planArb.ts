import fc from 'fast-check';
import type { PlannedTask, TaskKind } from '../../src/events/types.js';

/** Random plans as DAGs: task i may depend only on tasks before it, so there is never a cycle. */
export function planArb(maxLength: number): fc.Arbitrary<PlannedTask[]> {
  return fc
    .array(
      fc.record({ depMask: fc.nat(), kind: fc.constantFrom<TaskKind>('processing', 'tool_call', 'clarification') }),
      { minLength: 1, maxLength },
    )
    .map((drafts): PlannedTask[] =>
      drafts.map((d, i) => ({
        id: `t${i}`,
        description: `task ${i}`,
        kind: d.kind,
        dependsOn: Array.from({ length: i }, (_, j) => j)
          .filter((j) => (d.depMask >> j) & 1)
          .map((j) => `t${j}`),
        ...(d.kind === 'tool_call' ? { tool: 'noop', input: { i } } : {}),
      })),
    );
}
