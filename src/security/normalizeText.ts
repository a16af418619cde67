/** A text as the injection screen reads it, and what was hidden in it. */
export interface NormalizedText {
  /**
   * Lower-cased, compatibility-decomposed, accents, invisible characters and homoglyphs folded,
   * and words spelled out letter by letter joined up.
   */
  text: string;
  /** The same, with digits and symbols read as the letters they imitate (`1gn0r3` → `ignore`). */
  leet: string;
  /** Unicode tag characters and bidirectional overrides found: ways to hide text from a human reader. */
  hidden: number;
}

// Letters from other scripts that render like Latin ones (after lower-casing).
const homoglyphs: Readonly<Record<string, string>> = {
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  є: 'e',
  з: '3',
  і: 'i',
  ї: 'i',
  ј: 'j',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  ѕ: 's',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  һ: 'h',
  ӏ: 'l',
  ɡ: 'g',
  ʏ: 'y',
  α: 'a',
  β: 'b',
  γ: 'y',
  ε: 'e',
  ζ: 'z',
  η: 'n',
  ι: 'i',
  κ: 'k',
  μ: 'u',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ω: 'w',
  ϲ: 'c',
  ϳ: 'j',
  ո: 'n',
  ս: 'u',
  օ: 'o',
  ց: 'g',
  ı: 'i',
  ȷ: 'j',
  ł: 'l',
  ø: 'o',
  đ: 'd',
  ħ: 'h',
  ŀ: 'l',
  ɑ: 'a',
  ɩ: 'i',
  ɪ: 'i',
  ʟ: 'l',
  ɴ: 'n',
  ʀ: 'r',
  ꜱ: 's',
  ᴀ: 'a',
  ᴄ: 'c',
  ᴅ: 'd',
  ᴇ: 'e',
  ᴊ: 'j',
  ᴋ: 'k',
  ᴍ: 'm',
  ᴏ: 'o',
  ᴘ: 'p',
  ᴛ: 't',
  ᴜ: 'u',
  ᴠ: 'v',
  ᴡ: 'w',
  ᴢ: 'z',
};

const leetspeak: Readonly<Record<string, string>> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '8': 'b',
  '9': 'g',
  '@': 'a',
  $: 's',
  '!': 'i',
  '|': 'l',
  '+': 't',
  '€': 'e',
};

// Zero-width and formatting characters that render as nothing: removed so `ig\u200Bnore` reads `ignore`.
const invisible = new RegExp(
  [
    '[\\u00AD\\u061C\\u115F\\u1160\\u200B-\\u200F\\u2060-\\u2064\\u206A-\\u206F\\u3164\\uFEFF\\uFFA0]',
    // Combining invisibles (grapheme joiner, Khmer and Mongolian fillers, variation selectors).
    '\\u034F|\\u17B4|\\u17B5|[\\u180B-\\u180F]|[\\uFE00-\\uFE0F]|\\uDB40[\\uDD00-\\uDDEF]',
  ].join('|'),
  'g',
);
// Bidirectional embeddings, overrides and isolates reorder what a human sees ("Trojan Source").
const bidi = /[\u202A-\u202E\u2066-\u2069]/g;
// Unicode tag characters (U+E0000–E007F) mirror ASCII invisibly; emoji flags (🏴 + tags) are legitimate.
const tags = /(\uD83C\uDFF4)?((?:\uDB40[\uDC00-\uDC7F])+)/g;
const marks = /\p{M}/gu;

function fold(text: string, table: Readonly<Record<string, string>>, pattern: RegExp): string {
  return text.replace(pattern, (ch) => table[ch] ?? ch);
}

// Four or more single letters with separators between them: `i g n o r e`, `d-i-s-r-e-g-a-r-d`.
const spelledOut = /\b[a-z](?:[^a-z0-9\n]{1,3}[a-z]\b){3,}/g;

const homoglyphPattern = new RegExp(`[${Object.keys(homoglyphs).join('')}]`, 'g');
const leetPattern = /[0134579@$!|+€8]/g;

/**
 * Normalises text for the injection screen, so homoglyphs, zero-width characters, accents,
 * full-width and mathematical letters, hidden tag text, spelled-out words and leetspeak cannot slip past its
 * patterns. Plain ASCII takes a short path.
 *
 * @example
 * normalizeForScreening('Ｉɡnоrе\u200B previous').text
 * // => 'ignore previous'
 * @param input the text to normalise
 */
export function normalizeForScreening(input: string): NormalizedText {
  let hidden = 0;
  let text = input;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is the point of the test
  if (!/^[\x00-\x7F]*$/.test(text)) {
    text = text.replace(tags, (_all, flag: string | undefined, run: string) => {
      if (flag !== undefined) return flag;
      hidden += run.length / 2;
      let ascii = '';
      for (let i = 1; i < run.length; i += 2) ascii += String.fromCharCode(run.charCodeAt(i) - 0xdc00);
      return ascii;
    });
    text = text.replace(bidi, () => {
      hidden += 1;
      return '';
    });
    text = text.replace(invisible, '').normalize('NFKD').replace(marks, '').toLowerCase();
    text = fold(text, homoglyphs, homoglyphPattern);
  } else {
    text = text.toLowerCase();
  }
  text = text.replace(spelledOut, (run) => run.replace(/[^a-z]/g, ''));
  return { text, leet: fold(text, leetspeak, leetPattern), hidden };
}
