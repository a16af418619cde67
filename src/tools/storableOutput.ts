import { ToolOutputError } from '../errors.js';
import { describeStorableProblem, toStorable } from '../events/storable.js';

/**
 * A tool's output as it will be stored, checked once where it enters the run: by `toolCaller`
 * for a `tool_call` task and by `stepCaller` for a processing step's call. What comes back is
 * a plain copy (see `toStorable`), so the tool cannot change the recorded value afterwards. An
 * output the log could not store fails the call with `ToolOutputError` (`TOOL_OUTPUT_INVALID`,
 * retried like any tool failure) naming the tool, the field and what was wrong, instead of
 * reaching the log and failing the whole run.
 *
 * @example
 * storableOutput('stats', { mean: Number.NaN })
 * // => throws ToolOutputError: Tool `stats` returned output that cannot be stored: output.mean is NaN;
 * //    expected JSON-storable values: finite numbers, strings, booleans, null, arrays and plain objects
 * @param tool the tool's name, for the message
 * @param output what the tool returned
 */
export function storableOutput(tool: string, output: unknown): unknown {
  const stored = toStorable(output);
  if (stored.ok) return stored.value;
  const message = `Tool \`${tool}\` returned output that cannot be stored: ${describeStorableProblem('output', stored)}`;
  throw new ToolOutputError(tool, message);
}
