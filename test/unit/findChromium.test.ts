import { afterEach, describe, expect, it, vi } from 'vitest';
import { findChromium } from '../support/chromium.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the browser tests find Chromium, or say how to enable them', () => {
  it('uses CHROMIUM_PATH when it exists', () => {
    expect(findChromium({ CHROMIUM_PATH: process.execPath })).toBe(process.execPath);
  });

  it('outside CI, skips with a line saying how to enable them', () => {
    const said = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(findChromium({ CHROMIUM_PATH: '/nowhere/chrome' })).toBeUndefined();
    expect(String(said.mock.calls[0]?.[0])).toMatch(
      /browser tests skipped: no Chromium found \(CHROMIUM_PATH=\/nowhere\/chrome does not exist\); install chromium .* or set CHROMIUM_PATH/,
    );
  });

  it('in CI, a missing browser fails', () => {
    expect(() => findChromium({ CHROMIUM_PATH: '/nowhere/chrome', CI: 'true' })).toThrow(
      /The browser tests need Chromium and CI=true/,
    );
  });
});
