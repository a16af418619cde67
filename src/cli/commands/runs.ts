import { logWhere, openProjectLog } from '../cliLog.js';
import type { Command } from '../command.js';
import { openProject } from '../project.js';
import { jsonOption, logOption } from '../sharedOptions.js';

function when(ts: number): string {
  return new Date(ts).toISOString().replace('T', ' ').slice(0, 19);
}

/**
 * `troupe runs`: every run in a log, oldest first — id, status, events, when it started and
 * last moved, and its goal; `--json` prints one JSON line per run. Reads the log read-only,
 * so it works while another process is writing it.
 */
export const runsCommand: Command = {
  args: '',
  summary: 'list the runs in a log, oldest first',
  options: { ...logOption, ...jsonOption },
  async run(args) {
    const project = await openProject(args);
    const log = openProjectLog(project, { readOnly: true });
    try {
      const runs = await log.runs();
      if (args.values.json === true) {
        for (const run of runs) process.stdout.write(`${JSON.stringify(run)}\n`);
        return 0;
      }
      if (runs.length === 0) {
        process.stdout.write(`No runs in ${logWhere(project)}.\n`);
        return 0;
      }
      const rows = runs.map((r) => [r.runId, r.status, String(r.events), when(r.startedAt), when(r.updatedAt), r.goal]);
      const header = ['RUN', 'STATUS', 'EVENTS', 'STARTED', 'UPDATED', 'GOAL'];
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
      const line = (cells: string[]) =>
        cells
          .map((cell, i) =>
            i === cells.length - 1 ? cell.replace(/\s+/g, ' ').slice(0, 80) : cell.padEnd(widths[i] ?? 0),
          )
          .join('  ');
      process.stdout.write(`${[header, ...rows].map(line).join('\n')}\n`);
      const unfinished = runs.filter((r) => r.status === 'running').length;
      if (unfinished > 0)
        process.stdout.write(`\n${unfinished} run(s) not finished: \`troupe resume <run>\` continues one.\n`);
      return 0;
    } finally {
      await log.close();
    }
  },
};
