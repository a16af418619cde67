import type { Command } from './command.js';
import { answerCommand } from './commands/answer.js';
import { dashboardCommand } from './commands/dashboard.js';
import { initCommand } from './commands/init.js';
import { replayCommand } from './commands/replay.js';
import { resumeCommand } from './commands/resume.js';
import { approveCommand, rejectCommand, reviewsCommand } from './commands/reviews.js';
import { runCommand } from './commands/run.js';
import { runsCommand } from './commands/runs.js';
import { workerCommand } from './commands/worker.js';

/**
 * Every `troupe` subcommand, by name, in the order the usage lists them. A new command is a
 * file under `commands/` exporting a `Command`, and one line here.
 */
export const commands: Readonly<Record<string, Command>> = {
  init: initCommand,
  run: runCommand,
  runs: runsCommand,
  resume: resumeCommand,
  answer: answerCommand,
  replay: replayCommand,
  dashboard: dashboardCommand,
  reviews: reviewsCommand,
  approve: approveCommand,
  reject: rejectCommand,
  worker: workerCommand,
};
