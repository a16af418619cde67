/** One fenced TypeScript (or JavaScript) block of a Markdown file. */
export interface CodeBlock {
  /** The line of the opening fence, 1-based, for messages. */
  line: number;
  lang: 'ts' | 'js';
  /** Words after the language in the fence's info string, e.g. `no-run`. */
  flags: string[];
  code: string;
  /** What the block says it prints: each `// =>` line right after a `console.log(` line. */
  expected: string[];
}

const fence = /^```(ts|typescript|js|javascript)\b([^\n]*)\n([\s\S]*?)^```[ \t]*$/gm;

function expectations(code: string): string[] {
  const lines = code.split('\n');
  const out: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const comment = /^\s*\/\/ => (.*)$/.exec(lines[i] as string);
    if (comment !== null && (lines[i - 1] as string).includes('console.log(')) out.push((comment[1] as string).trim());
  }
  return out;
}

/** The TypeScript and JavaScript blocks of `markdown`, in order. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  for (const match of markdown.matchAll(fence)) {
    const code = match[3] as string;
    blocks.push({
      line: markdown.slice(0, match.index).split('\n').length,
      lang: match[1]?.startsWith('t') ? 'ts' : 'js',
      flags: (match[2] as string).trim().split(/\s+/).filter(Boolean),
      code,
      expected: expectations(code),
    });
  }
  return blocks;
}

/**
 * Whether `stdout` shows `expected`: some line of it equals it, where `…` in `expected` stands
 * for any text (ids, times, URLs that change from run to run).
 */
export function shows(stdout: string, expected: string): boolean {
  const pattern = expected
    .split('…')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const line = new RegExp(`^${pattern}$`);
  return stdout.split('\n').some((l) => line.test(l.trim()));
}
