import { existsSync } from 'node:fs';

/** Where Chromium or Chrome is usually installed, after `CHROMIUM_PATH`. */
const candidates = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

/**
 * The Chromium the browser tests drive: `CHROMIUM_PATH`, else the first one installed in a usual
 * place. When there is none they are skipped with a line saying how to enable them — except in
 * CI (`CI=true`), where a missing browser fails the run instead of silently testing less.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const given = env.CHROMIUM_PATH;
  const found =
    given !== undefined && given !== '' ? (existsSync(given) ? given : undefined) : candidates.find(existsSync);
  if (found !== undefined) return found;
  const looked = given ? `CHROMIUM_PATH=${given} does not exist` : `none of ${candidates.join(', ')} exists`;
  if (env.CI === 'true' || env.CI === '1') {
    throw new Error(`The browser tests need Chromium and CI=true: ${looked}. Install chromium or set CHROMIUM_PATH.`);
  }
  process.stderr.write(
    `browser tests skipped: no Chromium found (${looked}); install chromium (apt-get install chromium) or set CHROMIUM_PATH=/path/to/chrome to run them\n`,
  );
  return undefined;
}
