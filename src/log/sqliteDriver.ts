import type Database from 'better-sqlite3';
import { lazyRequire } from '../util/lazyRequire.js';

/** better-sqlite3's `Database` class, loaded when the first SQLite log or lock is opened. */
export const sqliteDriver: () => typeof Database = lazyRequire<typeof Database>('better-sqlite3');
