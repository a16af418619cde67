import type pg from 'pg';
import { lazyRequire } from '../../util/lazyRequire.js';

/** The `pg` client library, loaded when the first Postgres log is opened. */
export const pgDriver: () => typeof pg = lazyRequire<typeof pg>('pg');
