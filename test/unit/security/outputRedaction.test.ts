import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../../src/security/redactor.js';
import { redactStream, type WritableLike } from '../../../src/security/redactStream.js';
import { safeJson } from '../../../src/security/safeJson.js';

function sink(): WritableLike & { chunks: string[] } {
  const chunks: string[] = [];
  return {
    chunks,
    write(chunk: string | Uint8Array) {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    },
  };
}

describe('output redaction', () => {
  it('redacts strings and buffers written to a guarded stream, and restores it', () => {
    const stream = sink();
    const original = stream.write;
    const restore = redactStream(stream, createRedactor());
    stream.write('mail ada@example.com\n');
    stream.write(Buffer.from('key sk-proj-abcdefghijklmnopqrstuvwx\n'));
    restore();
    expect(stream.write).toBe(original);
    stream.write('after ada@example.com');
    expect(stream.chunks).toEqual(['mail [REDACTED_EMAIL]\n', 'key [REDACTED_OPENAI_KEY]\n', 'after ada@example.com']);
  });

  it('does not undo a later wrapper when restored out of order', () => {
    const stream = sink();
    const restore = redactStream(stream, createRedactor());
    const later = stream.write;
    const outer = (chunk: string | Uint8Array) => later.call(stream, chunk);
    stream.write = outer;
    restore();
    expect(stream.write).toBe(outer);
  });

  it('serialises JSON with secrets redacted and sensitive keys masked', () => {
    expect(
      JSON.parse(safeJson({ error: { message: 'bad key sk-proj-abcdefghijklmnopqrstuvwx' }, token: 't' })),
    ).toEqual({
      error: { message: 'bad key [REDACTED_OPENAI_KEY]' },
      token: '[REDACTED_SENSITIVE_KEY]',
    });
    expect(safeJson([1, 'two', null])).toBe('[1,"two",null]');
  });
});
