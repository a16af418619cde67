// The five offline tools of the compose example: fetch → parse → extract → categorise → notify.
import { defineTool } from 'troupe';
import { z } from 'zod';

const topics = {
  incident: ['Database outage in eu-west', 'The primary database is down; checkout errors while engineers fail over.'],
  release: ['Release 2.0 ships', 'The new release ships faster builds, a new dashboard and better search features.'],
  business: ['Pricing update for teams', 'Team plans change price next quarter; invoices and billing move to annual.'],
} as const;

/** Offline web pages: `https://news.example/<topic>/<n>` for the three topics. */
export function page(url: string): string | undefined {
  const match = /^https:\/\/news\.example\/(incident|release|business)\/(\d+)$/.exec(url);
  if (match === null) return undefined;
  const [title, body] = topics[match[1] as keyof typeof topics];
  return `<html><head><title>${title} #${match[2]}</title></head><body><p>${body}</p></body></html>`;
}

/** Where `notify` delivers, so the example can show what was sent. */
export const inbox: { channel: string; title: string; category: string }[] = [];

/** A seeded random source, so every run of the example prints the same figures. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}
const random = seeded(42);

export const fetchPage = defineTool({
  name: 'fetchPage',
  description: 'Fetches a web page',
  input: z.object({ url: z.string().url() }),
  output: z.object({ url: z.string(), status: z.number(), html: z.string() }),
  costUsd: 0.0001,
  latencyMs: 5,
  run: ({ url }) => {
    const html = page(url);
    if (html === undefined) throw new Error(`404 Not Found: ${url}`);
    return { url, status: 200, html };
  },
});

export const parseHtml = defineTool({
  name: 'parseHtml',
  description: 'Extracts the title and the text of an HTML page',
  input: z.object({ html: z.string() }),
  output: z.object({ title: z.string(), text: z.string() }),
  run: ({ html }) => ({
    title: /<title>([^<]*)<\/title>/.exec(html)?.[1] ?? '',
    text: html
      .replace(/<title>[^<]*<\/title>/, '')
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  }),
});

export const extractKeywords = defineTool({
  name: 'extractKeywords',
  description: 'Finds the keywords of a text',
  input: z.object({ title: z.string(), text: z.string() }),
  output: z.object({ keywords: z.array(z.string()) }),
  run: ({ title, text }) => ({
    keywords: [...new Set(`${title} ${text}`.toLowerCase().match(/[a-z]{5,}/g) ?? [])],
  }),
});

const lexicon: Record<string, readonly string[]> = {
  incident: ['outage', 'errors', 'down', 'fail'],
  release: ['release', 'ships', 'features'],
  business: ['pricing', 'price', 'billing', 'invoices'],
};

export const categorise = defineTool({
  name: 'categorise',
  description: 'Puts keywords in a category',
  input: z.object({ keywords: z.array(z.string()) }),
  output: z.object({ category: z.enum(['incident', 'release', 'business', 'other']), confidence: z.number() }),
  run: ({ keywords }) => {
    let best: { category: 'incident' | 'release' | 'business' | 'other'; hits: number } = {
      category: 'other',
      hits: 0,
    };
    for (const [category, words] of Object.entries(lexicon)) {
      const hits = keywords.filter((k) => words.some((w) => k.startsWith(w))).length;
      if (hits > best.hits) best = { category: category as typeof best.category, hits };
    }
    return { category: best.category, confidence: Math.min(1, best.hits / 3) };
  },
});

export const notify = defineTool({
  name: 'notify',
  description: 'Tells the right team about a page',
  input: z.object({ url: z.string(), title: z.string(), category: z.string() }),
  output: z.object({ channel: z.string(), delivered: z.boolean(), costUsd: z.number() }),
  // Declared from the price list; the bill (reported as `costUsd`) runs higher, by ±20%.
  costUsd: 0.001,
  latencyMs: 20,
  run: ({ title, category }) => {
    const channel = category === 'incident' ? 'pager' : category === 'release' ? 'slack' : 'email';
    inbox.push({ channel, title, category });
    return { channel, delivered: true, costUsd: 0.003 * (0.8 + 0.4 * random()) };
  },
});
