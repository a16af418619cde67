import { closeSync, openSync, readSync, statSync } from 'node:fs';

/** What the end of a SQLite write-ahead log holds beyond its last committed transaction. */
export interface WalTail {
  /** Byte offset where the last committed transaction ends (everything before it is kept). */
  committedEnd: number;
  /** Bytes after `committedEnd` that SQLite will discard: a write cut off by a crash. */
  tornBytes: number;
  /** Why those bytes are not a whole transaction. */
  reason?: 'partial frame' | 'bad checksum' | 'no commit frame' | 'bad header';
  /**
   * The page images SQLite discards, in WAL order: each whole frame of the current generation
   * after `committedEnd`. `committed` frames precede a commit frame (by its header), so their
   * transaction had been acknowledged before the damage; the others were an unfinished commit.
   */
  lost: LostPage[];
}

/** One page image the WAL held beyond what SQLite keeps. */
export interface LostPage {
  page: number;
  image: Buffer;
  committed: boolean;
}

const headerSize = 32;
const frameHeaderSize = 24;

/** SQLite's WAL checksum: two running 32-bit sums over pairs of words, in the WAL's byte order. */
function checksum(buf: Buffer, start: number, end: number, bigEndian: boolean, s: [number, number]): void {
  let s0 = s[0];
  let s1 = s[1];
  for (let i = start; i < end; i += 8) {
    const x0 = bigEndian ? buf.readUInt32BE(i) : buf.readUInt32LE(i);
    const x1 = bigEndian ? buf.readUInt32BE(i + 4) : buf.readUInt32LE(i + 4);
    s0 = (s0 + x0 + s1) >>> 0;
    s1 = (s1 + x1 + s0) >>> 0;
  }
  s[0] = s0;
  s[1] = s1;
}

function readAll(file: string, size: number): Buffer {
  const buf = Buffer.allocUnsafe(size);
  const fd = openSync(file, 'r');
  try {
    let read = 0;
    while (read < size) {
      const n = readSync(fd, buf, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    return read === size ? buf : buf.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/**
 * Inspects a WAL file before SQLite opens it, following the format SQLite documents
 * (https://www.sqlite.org/fileformat.html#the_write_ahead_log): frames whose salts match the
 * header and whose cumulative checksums hold, up to the last commit frame, are committed;
 * whatever of the current generation follows them is a torn write that SQLite's recovery
 * will roll back. Frames of an older generation (other salts) are normal leftovers.
 *
 * @example
 * inspectWal('.troupe/events.db-wal')
 * // => { committedEnd: 4152, tornBytes: 1000, reason: 'partial frame' }
 */
export function inspectWal(file: string): WalTail | undefined {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return undefined;
  }
  if (size === 0) return undefined;
  const buf = readAll(file, size);
  if (buf.length < headerSize) return { committedEnd: 0, tornBytes: buf.length, reason: 'bad header', lost: [] };
  const magic = buf.readUInt32BE(0);
  const pageSize = buf.readUInt32BE(8);
  const sums: [number, number] = [0, 0];
  const bigEndian = (magic & 1) === 1;
  checksum(buf, 0, 24, bigEndian, sums);
  if (
    (magic & ~1) >>> 0 !== 0x377f0682 ||
    pageSize < 512 ||
    (pageSize & (pageSize - 1)) !== 0 ||
    sums[0] !== buf.readUInt32BE(24) ||
    sums[1] !== buf.readUInt32BE(28)
  ) {
    return { committedEnd: 0, tornBytes: buf.length, reason: 'bad header', lost: [] };
  }
  const salt1 = buf.readUInt32BE(16);
  const salt2 = buf.readUInt32BE(20);
  const frameSize = frameHeaderSize + pageSize;
  let committedEnd = headerSize;
  let offset = headerSize;
  let reason: WalTail['reason'];
  while (offset < buf.length) {
    if (buf.length - offset < frameSize) {
      reason = 'partial frame';
      break;
    }
    if (buf.readUInt32BE(offset + 8) !== salt1 || buf.readUInt32BE(offset + 12) !== salt2) break;
    checksum(buf, offset, offset + 8, bigEndian, sums);
    checksum(buf, offset + frameHeaderSize, offset + frameSize, bigEndian, sums);
    if (sums[0] !== buf.readUInt32BE(offset + 16) || sums[1] !== buf.readUInt32BE(offset + 20)) {
      reason = 'bad checksum';
      break;
    }
    offset += frameSize;
    if (buf.readUInt32BE(offset - frameSize + 4) !== 0) committedEnd = offset;
  }
  if (reason === undefined && offset > committedEnd) reason = 'no commit frame';
  if (reason === undefined) return { committedEnd, tornBytes: 0, lost: [] };
  // SQLite's recovery stops at the first frame that fails: every frame of the current generation
  // after it is dropped too, whole transactions included. Stale frames of an older generation
  // (other salts) that may lie beyond are normal leftovers, not counted.
  const lost: LostPage[] = [];
  let end = committedEnd;
  for (let at = committedEnd; at + frameSize <= buf.length; at += frameSize) {
    if (buf.readUInt32BE(at + 8) !== salt1 || buf.readUInt32BE(at + 12) !== salt2) break;
    lost.push({
      page: buf.readUInt32BE(at),
      image: buf.subarray(at + frameHeaderSize, at + frameSize),
      committed: buf.readUInt32BE(at + 4) !== 0,
    });
    end = at + frameSize;
  }
  if (reason === 'partial frame') end = buf.length;
  // A frame is committed when a commit frame follows it (or is it).
  let committed = false;
  for (let i = lost.length - 1; i >= 0; i--) {
    const frame = lost[i] as LostPage;
    committed ||= frame.committed;
    frame.committed = committed;
  }
  return { committedEnd, tornBytes: end - committedEnd, reason, lost };
}
