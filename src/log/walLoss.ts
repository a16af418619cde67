import { isEventType } from './eventCodec.js';
import type { LostPage, WalTail } from './walTail.js';

/** An event row found in a page image the WAL loses. */
export interface LostEvent {
  seq: number;
  /** The run's integer id (`runs.id`). */
  run: number;
  type: string;
  /** Its transaction had been committed (acknowledged) before the damage. */
  committed: boolean;
}

/** What the page images a damaged WAL loses held, beyond what the log still has. */
export interface WalLoss {
  /** Events with a `seq` past the log's last one, by `seq`. */
  events: LostEvent[];
  /** Run ids first stored in the lost pages, by integer id. */
  runs: Map<number, string>;
}

/** A SQLite varint at `at`: its value and the offset after it. */
function varint(buf: Buffer, at: number): [number, number] {
  let value = 0;
  for (let i = 0; i < 8; i++) {
    const byte = buf[at + i] ?? 0;
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) return [value, at + i + 1];
  }
  return [value * 256 + (buf[at + 8] ?? 0), at + 9];
}

const intSizes = [0, 1, 2, 3, 4, 6, 8];

function readInt(buf: Buffer, at: number, size: number): number {
  return size === 0 ? 0 : size <= 6 ? buf.readIntBE(at, size) : Number(buf.readBigInt64BE(at));
}

/** The columns of one record (`[serialType, offset]`), or `undefined` if it runs off the page. */
function recordColumns(page: Buffer, at: number): [number, number][] | undefined {
  const [headerSize, first] = varint(page, at);
  const headerEnd = at + headerSize;
  if (headerEnd > page.length) return undefined;
  const columns: [number, number][] = [];
  let offset = headerEnd;
  for (let p = first; p < headerEnd; ) {
    const [type, next] = varint(page, p);
    p = next;
    columns.push([type, offset]);
    offset += type >= 12 ? (type - 12) >> 1 : type === 7 ? 8 : (intSizes[type] ?? 0);
  }
  return columns;
}

function text(page: Buffer, [type, at]: [number, number]): string | undefined {
  if (type < 13 || type % 2 === 0) return undefined;
  const end = at + ((type - 13) >> 1);
  return end <= page.length ? page.toString('utf8', at, end) : undefined;
}

function integer(page: Buffer, [type, at]: [number, number]): number | undefined {
  if (type === 8) return 0;
  if (type === 9) return 1;
  if (type < 1 || type > 6) return undefined;
  return readInt(page, at, intSizes[type] as number);
}

/**
 * Reads the event and run rows out of the page images a damaged WAL loses (table b-tree leaf
 * pages, https://www.sqlite.org/fileformat.html#b_tree_pages), keeping events past `lastSeq`:
 * what the log acknowledged, or was about to, and no longer has. An event row is a record of
 * five columns (the `seq` rowid alias stored as NULL, run, a known event type, version, body);
 * a run row one of two (NULL, run id). Only the start of each record is read, which always
 * lies on the page itself.
 */
export function walLoss(pages: readonly LostPage[], lastSeq: number): WalLoss {
  const events = new Map<number, LostEvent>();
  const runs = new Map<number, string>();
  for (const { page: number, image, committed } of pages) {
    const start = number === 1 ? 100 : 0;
    if (image[start] !== 0x0d) continue;
    const cells = image.readUInt16BE(start + 3);
    for (let c = 0; c < cells; c++) {
      const pointer = start + 8 + c * 2;
      if (pointer + 2 > image.length) break;
      const [, afterSize] = varint(image, image.readUInt16BE(pointer));
      const [rowid, payload] = varint(image, afterSize);
      const columns = recordColumns(image, payload);
      if (columns === undefined || columns[0]?.[0] !== 0) continue;
      if (columns.length === 2) {
        const runId = text(image, columns[1] as [number, number]);
        if (runId !== undefined) runs.set(rowid, runId);
      } else if (columns.length === 5 && rowid > lastSeq) {
        const run = integer(image, columns[1] as [number, number]);
        const type = text(image, columns[2] as [number, number]);
        if (run === undefined || type === undefined || !isEventType(type)) continue;
        const known = events.get(rowid);
        events.set(rowid, { seq: rowid, run, type, committed: committed || known?.committed === true });
      }
    }
  }
  return { events: [...events.values()].sort((a, b) => a.seq - b.seq), runs };
}

const runEnds: Record<string, string> = {
  'run.completed': 'completed',
  'run.failed': 'failed',
  'run.cancelled': 'cancelled',
};

function seqRange(events: readonly LostEvent[]): string {
  const first = events[0]?.seq;
  const last = events[events.length - 1]?.seq;
  return first === last ? `seq ${first}` : `seq ${first}–${last}`;
}

/**
 * The notice for a WAL whose tail SQLite discards: how many acknowledged events and which runs
 * (and whether a run's end) are lost, and what of an unfinished commit was dropped.
 *
 * @example
 * lossNotice('.troupe/events.db', tail, walLoss(tail.lost, 199), (id) => 'run-1')
 * // => '.troupe/events.db: the WAL is damaged (bad checksum) at byte 41232: 100 acknowledged event(s) (seq 200–299) of run run-1 are lost; …'
 */
export function lossNotice(file: string, tail: WalTail, loss: WalLoss, runName: (id: number) => string): string {
  const acknowledged = loss.events.filter((e) => e.committed);
  const unfinished = loss.events.length - acknowledged.length;
  const bytes = `${tail.tornBytes} byte(s) of the WAL after offset ${tail.committedEnd} discarded`;
  const dropped = unfinished > 0 ? `; ${unfinished} event(s) of an unfinished commit (never acknowledged) dropped` : '';
  if (acknowledged.length === 0) {
    return `${file}: repaired a torn last write (${tail.reason}): no acknowledged event was lost${dropped}; ${bytes}; the log ends at its last whole event`;
  }
  const byRun = new Map<number, LostEvent[]>();
  for (const event of acknowledged) byRun.set(event.run, [...(byRun.get(event.run) ?? []), event]);
  const runs = [...byRun].map(([id, events]) => {
    const end = events.find((e) => runEnds[e.type] !== undefined);
    const name = loss.runs.get(id) ?? runName(id);
    return `${name || `#${id}`} (${events.length}${end === undefined ? '' : `, its ${end.type}: the run had ${runEnds[end.type]}`})`;
  });
  return `${file}: the WAL is damaged (${tail.reason}) at byte ${tail.committedEnd}, and SQLite keeps nothing after it: ${acknowledged.length} acknowledged event(s) (${seqRange(acknowledged)}) are lost, of run(s) ${runs.join(', ')}${dropped}; ${bytes}`;
}

/**
 * The notice for acknowledged events the log no longer holds although its WAL shows no damage:
 * the WAL was deleted or replaced after a writer stopped without closing the log.
 */
export function missingNotice(file: string, lastSeq: number, acknowledgedSeq: number): string {
  const missing = acknowledgedSeq - lastSeq;
  const range = missing === 1 ? `seq ${acknowledgedSeq}` : `seq ${lastSeq + 1}–${acknowledgedSeq}`;
  return `${file}: ${missing} acknowledged event(s) (${range}) are missing: the log's WAL (${file}-wal) was deleted or replaced after its last writer stopped without closing it, and they cannot be recovered; the WAL is part of the database — keep it with the file`;
}
