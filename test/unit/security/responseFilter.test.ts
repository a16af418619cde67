import { describe, expect, it } from 'vitest';
import { redactDeep } from '../../../src/security/redactDeep.js';
import { eventRedactor } from '../../../src/security/redactEvent.js';
import { createRedactor } from '../../../src/security/redactor.js';
import { createResponseFilter, filterResponse } from '../../../src/security/responseFilter.js';
import { piiSamples } from '../../fixtures/security/pii.js';
import { secretSamples } from '../../fixtures/security/secrets.js';

describe('response filter', () => {
  it('removes sensitive keys, redacts nested values and lists kinds and paths', () => {
    const result = filterResponse({
      name: 'Ada',
      contact: { emails: ['ada@example.com'], phone: '(415) 555-0132' },
      apiKey: 'k-123',
      session: { cookie: 'sid=1', note: 'ok' },
    });
    expect(result.value).toEqual({
      name: 'Ada',
      contact: { emails: ['[REDACTED_EMAIL]'], phone: '[REDACTED_PHONE]' },
      session: { note: 'ok' },
    });
    expect(result.redactions).toEqual([
      { path: 'contact.emails[0]', kind: 'EMAIL' },
      { path: 'contact.phone', kind: 'PHONE' },
      { path: 'apiKey', kind: 'SENSITIVE_KEY' },
      { path: 'session.cookie', kind: 'SENSITIVE_KEY' },
    ]);
  });

  it('never puts a redacted value in what it records', () => {
    const value = { items: [...secretSamples.map((s) => s.text), ...piiSamples.map((s) => s.text)] };
    const { value: out, redactions } = filterResponse(value);
    const text = JSON.stringify({ out, redactions });
    for (const s of secretSamples) expect(text).not.toContain(s.secret);
    for (const s of piiSamples) expect(text).not.toContain(s.value);
  });

  it('returns clean values as the very same object', () => {
    const value = { a: [1, 'two', { three: true }], b: null };
    expect(filterResponse(value).value).toBe(value);
  });

  it('does not change its input', () => {
    const value = { user: { email: 'ada@example.com', password: 'pw' } };
    const copy = structuredClone(value);
    filterResponse(value);
    expect(value).toEqual(copy);
  });

  it('replaces what is nested deeper than 64 levels, including cycles', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const { redactions } = filterResponse(cyclic);
    expect(redactions.at(-1)?.kind).toBe('TOO_DEEP');
  });

  it('keeps class instances other than plain objects as they are', () => {
    const date = new Date(0);
    expect(filterResponse({ at: date }).value.at).toBe(date);
  });

  it('can use a redactor with secrets only', () => {
    const filter = createResponseFilter(createRedactor({ pii: false }));
    expect(filter({ email: 'ada@example.com' }).value).toEqual({ email: 'ada@example.com' });
  });
});

describe('event redaction', () => {
  const redact = eventRedactor(createRedactor());

  it('records the redactions of a task output in the event', () => {
    const draft = { type: 'task.completed', taskId: 't1', output: [{ email: 'ada@example.com' }], durationMs: 1 };
    expect(redact(draft)).toEqual({
      ...draft,
      output: [{ email: '[REDACTED_EMAIL]' }],
      redactions: [{ path: 'output[0].email', kind: 'EMAIL' }],
    });
  });

  it('masks sensitive keys of other events in place, keeping their shape', () => {
    const draft = { type: 'plan.created', attempt: 1, tasks: [{ id: 'a', input: { token: 'x', q: 'hi' } }] };
    expect(redact(draft)).toEqual({
      ...draft,
      tasks: [{ id: 'a', input: { token: '[REDACTED_SENSITIVE_KEY]', q: 'hi' } }],
    });
  });

  it('keeps identifiers so events still refer to one another', () => {
    const id = 'ask-203.0.113.42';
    const draft = {
      type: 'plan.created',
      attempt: 1,
      tasks: [{ id, description: 'mail ada@example.com', kind: 'processing', dependsOn: [id], tool: 'x' }],
    };
    expect(redact(draft).tasks).toEqual([{ ...draft.tasks[0], description: 'mail [REDACTED_EMAIL]' }]);
    const started = { type: 'task.started', taskId: id, attempt: 1 };
    expect(redact(started)).toBe(started);
  });

  it('returns a clean draft as the same object', () => {
    const draft = { type: 'task.started', taskId: 'a', attempt: 1, causationId: null };
    expect(redact(draft)).toBe(draft);
  });

  it('masks without recording when no list is given', () => {
    expect(redactDeep({ password: 'p' }, createRedactor(), { sensitiveKeys: 'mask' })).toEqual({
      password: '[REDACTED_SENSITIVE_KEY]',
    });
  });
});
