// bench/eventlog's worker-thread committer: the same rows, inserted and fsynced off the main
// thread, to measure what moving the commit to a worker saves the event loop.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { file, synchronous } = workerData as { file: string; synchronous: string };
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma(`synchronous = ${synchronous.toUpperCase()}`);
db.exec(
  'CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, run INTEGER NOT NULL, type TEXT NOT NULL, v INTEGER NOT NULL, body TEXT NOT NULL); CREATE INDEX IF NOT EXISTS events_by_run ON events(run, seq);',
);
const insert = db.prepare('INSERT INTO events (seq, run, type, v, body) VALUES (?, ?, ?, ?, ?)');
const store = db.transaction((rows: [number, string, string][]) => {
  for (const [seq, type, body] of rows) insert.run(seq, 1, type, 2, body);
});
parentPort?.on('message', (message: { id: number; rows: [number, string, string][] } | 'close') => {
  if (message === 'close') {
    db.close();
    parentPort?.close();
    return;
  }
  store.immediate(message.rows);
  parentPort?.postMessage(message.id);
});
