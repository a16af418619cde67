import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../../src/errors.js';
import { defineTool } from '../../src/tools/defineTool.js';
import { NoToolSelectedError, selectTool } from '../../src/tools/selectTool.js';
import { toolEstimates } from '../../src/tools/toolEstimates.js';

function tool(name: string, costUsd: number, latencyMs: number, capabilities = ['summarise']) {
  return defineTool({
    name,
    description: name,
    input: z.object({}),
    costUsd,
    latencyMs,
    capabilities,
    run: () => name,
  });
}

const cheapSlow = tool('cheapSlow', 0.001, 3_000);
const pricyFast = tool('pricyFast', 0.05, 300);
const middle = tool('middle', 0.01, 1_000);
const other = tool('translator', 0, 0, ['translate']);
const registry = [cheapSlow, pricyFast, middle, other];

describe('selectTool', () => {
  it('picks by an efficiency score weighted by preference', () => {
    expect(selectTool(registry, { capability: 'summarise', prefer: 'cost' }).name).toBe('cheapSlow');
    expect(selectTool(registry, { capability: 'summarise', prefer: 'latency' }).name).toBe('pricyFast');
    expect(selectTool(registry, { capability: 'summarise' }).name).toBe('middle');
  });

  it('respects maxCostUsd and maxLatencyMs, and accepts a Map registry', () => {
    const map = new Map(registry.map((t) => [t.name, t]));
    expect(selectTool(map, { capability: 'summarise', prefer: 'latency', maxCostUsd: 0.02 }).name).toBe('middle');
    expect(selectTool(map, { capability: 'summarise', prefer: 'cost', maxLatencyMs: 2_000 }).name).toBe('middle');
  });

  it('breaks ties by name so the choice is deterministic', () => {
    const a = tool('b-twin', 0.01, 100);
    const b = tool('a-twin', 0.01, 100);
    expect(selectTool([a, b], { capability: 'summarise' }).name).toBe('a-twin');
  });

  it('uses learnt estimates over declared values', () => {
    const estimates = toolEstimates();
    for (let i = 0; i < 20; i++) estimates.observe('pricyFast', { latencyMs: 9_000 });
    expect(selectTool(registry, { capability: 'summarise', prefer: 'latency', estimates }).name).toBe('middle');
  });

  it('explains why nothing was selected', () => {
    expect(() => selectTool(registry, { capability: 'fly' })).toThrow(NoToolSelectedError);
    expect(() => selectTool(registry, { capability: 'fly' })).toThrow(
      'No registered tool declares the capability `fly`',
    );
    expect(() => selectTool(registry, { capability: 'summarise', maxCostUsd: 0.0001, maxLatencyMs: 10 })).toThrow(
      '`cheapSlow` costs 0.001 USD > maxCostUsd 0.0001',
    );
  });

  it.each([
    [{ capability: '' }, '`capability`'],
    [{ capability: 'x', maxCostUsd: -1 }, '`maxCostUsd` to be a number ≥ 0, got `-1`'],
    [{ capability: 'x', maxLatencyMs: Number.NaN }, '`maxLatencyMs` to be a number ≥ 0, got `NaN`'],
    [{ capability: 'x', prefer: 'speed' }, "`prefer` to be 'cost', 'latency' or 'balanced', got `speed`"],
  ])('rejects %o naming the value', (options, message) => {
    expect(() => selectTool(registry, options as never)).toThrow(ConfigError);
    expect(() => selectTool(registry, options as never)).toThrow(message);
  });
});
