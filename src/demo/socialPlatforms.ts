import { z } from 'zod';
import { defineTool, type Tool } from '../tools/defineTool.js';

/** One post as a platform accepted it. */
export interface Post {
  platform: 'threads' | 'bluesky' | 'x';
  id: string;
  url: string;
  text: string;
  idempotencyKey: string;
}

/**
 * Where the offline platforms record what they sent. A post is sent once per idempotency key:
 * a repeated call with the same key returns the post already made, as real APIs that honour
 * idempotency keys do.
 */
export class Outbox {
  private readonly byKey = new Map<string, Post>();
  private readonly sent: Post[] = [];

  /** Every post sent, in order. */
  get posts(): readonly Post[] {
    return this.sent;
  }

  /** Sends `text` to `platform` unless `idempotencyKey` was sent already; returns the post. */
  send(platform: Post['platform'], text: string, idempotencyKey: string): Post {
    const known = this.byKey.get(idempotencyKey);
    if (known !== undefined) return known;
    const id = `${platform}-${this.sent.length + 1}`;
    const post: Post = { platform, id, url: `https://${hosts[platform]}/post/${id}`, text, idempotencyKey };
    this.byKey.set(idempotencyKey, post);
    this.sent.push(post);
    return post;
  }
}

const hosts: Record<Post['platform'], string> = { threads: 'threads.example', bluesky: 'bsky.example', x: 'x.example' };

// Made on first use: building a Segmenter loads ICU's break rules, about 20 ms of `import 'troupe'`.
let segmenter: Intl.Segmenter | undefined;

function graphemes(text: string): number {
  segmenter ??= new Intl.Segmenter('en', { granularity: 'grapheme' });
  let count = 0;
  for (const _ of segmenter.segment(text)) count++;
  return count;
}

function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

function postInput(platform: string, limit: number, unit: string, measure: (text: string) => number) {
  return z.object({
    text: z
      .string()
      .refine((t) => t.trim() !== '', { message: `${platform} does not accept an empty post` })
      .refine((t) => measure(t) <= limit, {
        message: `${platform} allows at most ${limit} ${unit}`,
      }),
  });
}

const postOutput = z.object({ platform: z.enum(['threads', 'bluesky', 'x']), id: z.string(), url: z.string() });

/**
 * Offline stand-ins for three social platforms, enforcing each one's limits: Threads 500
 * characters, Bluesky 300 graphemes, X 280 characters; empty posts are refused. Each sent post
 * is recorded in `outbox`, once per idempotency key.
 *
 * @example
 * const outbox = new Outbox();
 * const runtime = createRuntime({ tools: socialPlatformTools(outbox), model: demoModel() });
 * await runtime.run("post 'hello world' to all social platforms").result;
 * outbox.posts.map((p) => p.platform);
 * // => ['threads', 'bluesky', 'x']
 */
export function socialPlatformTools(outbox: Outbox = new Outbox()): Tool[] {
  const make = (name: string, platform: Post['platform'], label: string, input: ReturnType<typeof postInput>) =>
    defineTool({
      name,
      description: `Publishes a text post to ${label}.`,
      input,
      output: postOutput,
      capabilities: ['social.post'],
      latencyMs: 1,
      run: ({ text }, { idempotencyKey }) => {
        const post = outbox.send(platform, text, idempotencyKey);
        return { platform: post.platform, id: post.id, url: post.url };
      },
    });
  return [
    make('postToThreads', 'threads', 'Threads', postInput('Threads', 500, 'characters', codePoints)),
    make('postToBluesky', 'bluesky', 'Bluesky', postInput('Bluesky', 300, 'graphemes', graphemes)),
    make('postToX', 'x', 'X', postInput('X', 280, 'characters', codePoints)),
  ];
}
