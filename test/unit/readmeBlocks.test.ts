import { describe, expect, it } from 'vitest';
import { codeBlocks, shows } from '../support/readmeBlocks.js';

const markdown = [
  '# Title',
  '```ts',
  "console.log('a');",
  '// => a',
  'const x = 1; // not an output',
  '// => not checked: no console.log above',
  '```',
  '```sh',
  'npm test',
  '```',
  '```ts no-run',
  "import { openaiModel } from 'troupe';",
  '```',
  '```js',
  'console.log(1, 2);',
  '// => 1 2',
  '```',
].join('\n');

describe('README block extraction', () => {
  it('finds ts and js blocks with their line, flags and shown outputs, and skips other languages', () => {
    const blocks = codeBlocks(markdown);
    expect(blocks.map((b) => [b.line, b.lang, b.flags, b.expected])).toEqual([
      [2, 'ts', [], ['a']],
      [11, 'ts', ['no-run'], []],
      [14, 'js', [], ['1 2']],
    ]);
  });

  it('matches a shown output against a whole line, `…` standing for any text', () => {
    expect(shows('x\ncompleted post: {"url":"https://x/1a2b"}\n', 'completed post: {"url":"https://x/…"}')).toBe(true);
    expect(shows('completed post\n', 'completed')).toBe(false);
    expect(shows('a.b\n', 'a?b')).toBe(false);
  });
});
