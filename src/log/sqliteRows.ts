import type Database from 'better-sqlite3';
import { LogCorruptionError } from '../errors.js';
import { troupeEventSchema } from '../events/schemas.js';
import type { TroupeEvent } from '../events/types.js';
import { decodeEvent } from './eventCodec.js';

/** A stored event as `SELECT seq, v, body, type, run` returns it in raw mode. */
export type EventRow = [seq: number, v: number, body: string, type: string, run: number];

/** The columns every event query selects, in `EventRow` order. */
export const eventColumns = 'seq, v, body, type, run';

/**
 * The run id (`runs.run_id`) of a run's integer id, cached: a log holds few runs, and rows
 * name their run by integer.
 */
export function runNames(db: Database.Database): (id: number) => string {
  const names = new Map<number, string>();
  const find = db.prepare('SELECT run_id FROM runs WHERE id = ?').pluck();
  return (id) => {
    let name = names.get(id);
    if (name === undefined) {
      name = (find.get(id) as string | undefined) ?? '';
      names.set(id, name);
    }
    return name;
  };
}

/** Turns a stored row of the run `runId` back into an event (see `decodeEvent`). */
export function decodeRow(file: string, row: EventRow, runId: string): TroupeEvent {
  return decodeEvent(file, { seq: row[0], v: row[1], type: row[3], runId }, row[2]);
}

/** Decodes a row and checks it against the full event schema. */
export function verifyRow(file: string, row: EventRow, runId: string): TroupeEvent {
  const event = decodeRow(file, row, runId);
  const checked = troupeEventSchema.safeParse(event);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new LogCorruptionError(
      file,
      row[0],
      `event seq ${row[0]} fails its schema at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
    );
  }
  return event;
}

/** Whether a SQLite error means the file itself is damaged (not busy, full or read-only). */
export function isCorruption(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}

/**
 * Turns SQLite's word that the file is damaged into a `LogCorruptionError` naming the file and
 * the byte offset of the first damaged page, found with `PRAGMA quick_check` (only on this
 * error path: it reads the whole file).
 */
export function corruptionError(db: Database.Database | undefined, file: string, err: unknown): LogCorruptionError {
  const reason = (err as Error).message;
  let page: number | undefined;
  let detail = '';
  if (db?.open) {
    try {
      const problems = db.pragma('quick_check(5)', { simple: false }) as { quick_check: string }[];
      const text = problems.map((p) => p.quick_check.replace(/\s*\n\s*/g, ' ')).join('; ');
      const match = /page (\d+)/i.exec(text);
      if (match !== null) page = Number(match[1]);
      if (text !== 'ok') detail = ` (quick_check: ${text})`;
    } catch (checkErr) {
      detail = ` (quick_check failed too: ${(checkErr as Error).message})`;
    }
  }
  const pageSize = db?.open ? (db.pragma('page_size', { simple: true }) as number) : 4096;
  const position = page === undefined ? 0 : (page - 1) * pageSize;
  const where = page === undefined ? 'the file header or an unknown page' : `page ${page} (byte ${position})`;
  return new LogCorruptionError(file, position, `damaged at ${where}: ${reason}${detail}`, { cause: err });
}
