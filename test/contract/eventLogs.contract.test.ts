import { afterAll } from 'vitest';
import { memoryLog } from '../../src/log/memoryLog.js';
import { postgresLog } from '../../src/log/postgres/postgresLog.js';
import { sqliteLog } from '../../src/log/sqliteLog.js';
import { emptyDatabase, freshDatabase } from '../helpers/pgDatabase.js';
import { tempDir } from '../helpers/tempLog.js';
import { describeEventLogContract } from './eventLogContract.js';

const tmp = tempDir('troupe-contract-');
afterAll(() => tmp.remove());
let files = 0;

describeEventLogContract({ name: 'memoryLog', foldRuns: 100, open: async () => ({ log: memoryLog() }) });

describeEventLogContract({
  name: 'sqliteLog',
  foldRuns: 60,
  open: async () => {
    files += 1;
    const file = tmp.file(`contract-${files}.db`);
    return { log: sqliteLog(file), reopen: () => sqliteLog(file, { readOnly: true }) };
  },
});

// One database, emptied for each log: cases run one after another within this file.
let database: Promise<string> | undefined;
describeEventLogContract({
  name: 'postgresLog',
  foldRuns: 25,
  open: async () => {
    database ??= freshDatabase('contract');
    const url = await database;
    await emptyDatabase(url);
    return { log: postgresLog(url), reopen: () => postgresLog(url) };
  },
});
