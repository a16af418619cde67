import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { TroupeEvent } from '../../../src/events/types.js';
import { createLogger, logEvents } from '../../../src/log/logger.js';
import { createRedactor } from '../../../src/security/redactor.js';
import { piiSamples } from '../../fixtures/security/pii.js';
import { secretSamples } from '../../fixtures/security/secrets.js';

function capture(level: 'debug' | 'info' | 'warn' | 'error' | 'silent' = 'debug') {
  const lines: string[] = [];
  const logger = createLogger({ level, write: (line) => lines.push(line), clock: () => 0 });
  return { lines, logger };
}

describe('structured logger', () => {
  it('writes one JSON line with level, time, message, bindings and fields', () => {
    const { lines, logger } = capture();
    logger.child({ component: 'executor' }).info('task started', { taskId: 't1', attempt: 1 });
    expect(JSON.parse(lines[0] as string)).toEqual({
      level: 'info',
      time: 0,
      msg: 'task started',
      component: 'executor',
      taskId: 't1',
      attempt: 1,
    });
  });

  it('binds the run as correlation id', () => {
    const { lines, logger } = capture();
    logger.forRun('run-7').warn('slow');
    expect(JSON.parse(lines[0] as string)).toMatchObject({ runId: 'run-7', correlationId: 'run-7' });
  });

  it('redacts every secret and PII sample in messages, fields, bindings and errors', () => {
    const { lines, logger } = capture();
    for (const s of [...secretSamples.map((x) => ({ text: x.text, value: x.secret })), ...piiSamples]) {
      logger.child({ note: s.text }).error(s.text, { nested: { deep: [s.text] }, error: new Error(s.text) });
      const line = lines.at(-1) as string;
      expect(line).not.toContain(s.value);
      expect(line).not.toContain(JSON.stringify(s.value).slice(1, -1));
    }
  });

  it('masks values held under sensitive keys', () => {
    const { lines, logger } = capture();
    logger.info('login', { user: 'ada', password: 'x1', headers: { authorization: 'Basic abc' } });
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      password: '[REDACTED_SENSITIVE_KEY]',
      headers: { authorization: '[REDACTED_SENSITIVE_KEY]' },
    });
  });

  it('uses a given redactor, e.g. one that knows configured secret values', () => {
    const lines: string[] = [];
    const logger = createLogger({ write: (l) => lines.push(l), redactor: createRedactor({ values: ['plain-value'] }) });
    logger.info('value plain-value here');
    expect(lines[0]).toContain('[REDACTED_SECRET_VALUE]');
  });

  it('drops lines below its level and writes nothing when silent', () => {
    const warn = capture('warn');
    warn.logger.info('no');
    warn.logger.error('yes');
    expect(warn.lines).toHaveLength(1);
    const silent = capture('silent');
    silent.logger.error('no');
    expect(silent.lines).toEqual([]);
  });

  it('survives fields that cannot be serialised', () => {
    const { lines, logger } = capture();
    logger.info('big', { n: 10n });
    expect(JSON.parse(lines[0] as string)).toMatchObject({ msg: 'big', unserializable: true });
  });

  it('logs events at a level by type, with the run ids', () => {
    const { lines, logger } = capture('info');
    const events$ = new Subject<TroupeEvent>();
    const subscription = logEvents(events$, logger);
    const envelope = { id: 'e', runId: 'r1', ts: 1, correlationId: 'r1', causationId: null };
    events$.next({ ...envelope, seq: 0, type: 'run.started', goal: 'mail ada@example.com' });
    events$.next({ ...envelope, seq: 1, type: 'task.started', taskId: 't', attempt: 1 });
    events$.next({ ...envelope, seq: 2, type: 'run.failed', error: { code: 'X', message: 'boom' } });
    subscription.unsubscribe();
    expect(lines.map((l) => JSON.parse(l))).toMatchObject([
      { level: 'info', msg: 'run.started', runId: 'r1', correlationId: 'r1', seq: 0, goal: 'mail [REDACTED_EMAIL]' },
      { level: 'error', msg: 'run.failed', seq: 2 },
    ]);
  });
});
