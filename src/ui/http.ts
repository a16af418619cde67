import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { safeJson } from '../security/safeJson.js';

/** An HTTP error answered as `{ error: { code, message } }` with its status. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.name = 'HttpError';
  }
}

/**
 * Sends `body` as JSON, redacted like every other output; nothing is cached, since every answer
 * reflects a live run.
 */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = safeJson(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

/** Sends a text asset with its content type. */
export function sendText(res: ServerResponse, status: number, type: string, text: string): void {
  res.writeHead(status, {
    'content-type': `${type}; charset=utf-8`,
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}

/**
 * Reads a request body of at most `limitBytes`, refusing a larger one (413) as soon as it is
 * known to be larger: by its `content-length`, or by counting as it streams in.
 */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limitBytes) {
    req.resume();
    return Promise.reject(tooLarge(declared, limitBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        reject(tooLarge(size, limitBytes));
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function tooLarge(size: number, limit: number): HttpError {
  return new HttpError(413, 'BODY_TOO_LARGE', `Expected the request body to be at most ${limit} bytes, got ${size}`);
}

/** Parses a JSON body against `schema`; a bad one is a 400 naming the field and what was expected. */
export function parseBody<T>(text: string, schema: z.ZodType<T>): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'BODY_INVALID', 'Expected the request body to be JSON');
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const field = issue.path.length === 0 ? 'body' : issue.path.join('.');
    return `\`${field}\`: ${issue.message}`;
  });
  throw new HttpError(400, 'BODY_INVALID', `Invalid request body: ${problems.join('; ')}`);
}

/**
 * Checks `Authorization: Bearer <token>` in constant time; anything else is a 401, so no
 * request without the token changes anything.
 */
export function requireToken(req: IncomingMessage, token: string): void {
  const header = req.headers.authorization ?? '';
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new HttpError(401, 'UNAUTHORIZED', 'Expected `Authorization: Bearer <token>` with the dashboard token');
  }
}
