import type Database from 'better-sqlite3';
import { LogCorruptionError } from '../errors.js';
import { troupeEventSchema } from '../events/schemas.js';
import type { TroupeEvent } from '../events/types.js';
import { upcast } from './sqliteMigrations.js';

/** A stored event as `SELECT seq, v, body` returns it in raw mode. */
export type EventRow = [seq: number, v: number, body: string];

const knownTypes: ReadonlySet<string> = new Set(troupeEventSchema.options.map((o) => o.shape.type.value));

/**
 * Turns a stored row back into an event. Every read checks what is cheap and catches damage:
 * the body parses, its `seq` matches the row and its `type` is known; the full schema is
 * checked where the log is opened (`verifyRow`), since events are validated before they are
 * written and a zod parse of every event would halve replay speed.
 */
export function decodeRow(file: string, row: EventRow): TroupeEvent {
  const [seq, v, body] = row;
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(body) as Record<string, unknown>;
  } catch (err) {
    throw new LogCorruptionError(file, seq, `event seq ${seq} is not valid JSON (${(err as Error).message})`, {
      cause: err,
    });
  }
  const event = upcast(v, parsed);
  if (event === undefined) {
    throw new LogCorruptionError(file, seq, `event seq ${seq} has format version ${v}, which this troupe cannot read`);
  }
  if (event.seq !== seq || typeof event.type !== 'string' || !knownTypes.has(event.type)) {
    throw new LogCorruptionError(
      file,
      seq,
      `event seq ${seq} does not look like a troupe event (seq ${String(event.seq)}, type ${JSON.stringify(event.type)})`,
    );
  }
  return event as TroupeEvent;
}

/** Decodes a row and checks it against the full event schema. */
export function verifyRow(file: string, row: EventRow): TroupeEvent {
  const event = decodeRow(file, row);
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
