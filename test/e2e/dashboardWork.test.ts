import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { filter, firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { UnsequencedEvent } from '../../src/events/types.js';
import type { EventLog } from '../../src/log/EventLog.js';
import { memoryLog } from '../../src/log/memoryLog.js';
import { scriptedModel } from '../../src/model/scriptedModel.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';
import { defineTool } from '../../src/tools/defineTool.js';

const shots = 'test-results/dashboard-work';
let profile: string;
let context: BrowserContext;

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  profile = mkdtempSync(join(tmpdir(), 'troupe-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    viewport: { width: 1280, height: 1200 },
  });
});

afterAll(async () => {
  await context?.close();
  if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
});

/**
 * A run as the log records a task whose input references another's output: the plan keeps the
 * reference, `task.started` carries the input resolved.
 */
async function appendReferencedRun(log: EventLog): Promise<void> {
  const at = Date.now();
  const envelope = (i: number) => ({
    id: `ref-${i}`,
    runId: 'referenced',
    ts: at + i,
    correlationId: 'referenced',
    causationId: null,
  });
  const planned = (id: string, input: unknown, dependsOn: string[]) => ({
    id,
    description: `task ${id}`,
    kind: 'tool_call',
    tool: 'add',
    input,
    dependsOn,
  });
  const events = [
    { type: 'run.started', goal: 'add and double' },
    {
      type: 'plan.created',
      attempt: 1,
      tasks: [
        planned('sum', { x: 1, y: 2 }, []),
        planned('double', { x: '{{sum.output}}', y: '{{sum.output}}' }, ['sum']),
      ],
    },
    { type: 'task.started', taskId: 'sum', attempt: 1 },
    { type: 'task.completed', taskId: 'sum', output: 3, durationMs: 2 },
    { type: 'task.started', taskId: 'double', attempt: 1, input: { x: 3, y: 3 } },
    { type: 'task.completed', taskId: 'double', output: 6, durationMs: 2 },
    { type: 'run.completed', answer: '6' },
  ];
  await log.append(events.map((e, i) => ({ ...envelope(i), ...e }) as unknown as UnsequencedEvent));
}

/** A finished run with a retried tool task, a judge and a two-line answer, beside a run with references. */
async function finishedRun() {
  const log = memoryLog();
  await appendReferencedRun(log);
  let failures = 1;
  const add = defineTool({
    name: 'add',
    description: 'Adds two numbers',
    input: z.object({ x: z.number(), y: z.number() }),
    run: ({ x, y }) => {
      if (failures-- > 0) throw new Error('the adder warmed up');
      return x + y;
    },
  });
  const model = scriptedModel({
    plan: () => ({
      tasks: [
        { id: 'sum', description: 'Add 1 and 2', kind: 'tool_call', tool: 'add', input: { x: 1, y: 2 } },
        {
          id: 'double',
          description: 'Double it',
          kind: 'tool_call',
          tool: 'add',
          input: { x: 3, y: 3 },
          dependsOn: ['sum'],
        },
        { id: 'write', description: 'Write it up', kind: 'processing', dependsOn: ['double'] },
      ],
    }),
    process: (_task, request) =>
      request.turns?.length ? 'line one\nline two' : { toolCalls: [{ name: 'add', arguments: { x: 20, y: 22 } }] },
    synthesize: () => 'First line\nSecond line',
  });
  const runtime = createRuntime({
    log,
    model,
    tools: [add],
    retry: { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 2 },
    judge: { score: () => 0.95 },
  });
  const handle = runtime.run('add and write up');
  expect((await handle.result).status).toBe('completed');
  return { runtime, runId: handle.runId, dashboard: await runtime.serve({ port: 0 }) };
}

async function open(page: Page, url: string): Promise<{ errors: string[]; missing: string[] }> {
  const errors: string[] = [];
  const missing: string[] = [];
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('response', (response) => {
    if (response.status() >= 400) missing.push(`${response.status()} ${response.url()}`);
  });
  await page.goto(url);
  return { errors, missing };
}

const card = (page: Page, column: string, id: string) =>
  page.locator(`[data-column="${column}"] [data-task-id="${id}"]`);
const figure = (page: Page, box: string, name: string) => page.locator(`#${box} [data-metric="${name}"] .v`);

describe('the dashboard as a place to work', () => {
  it('opens a task drawer with its input, resolved references, output, attempts, tool calls and verdicts', async () => {
    const { runtime, runId, dashboard } = await finishedRun();
    const page = await context.newPage();
    try {
      const { errors, missing } = await open(page, `${dashboard.url}/#${dashboard.token}`);
      await card(page, 'completed', 'write').waitFor();

      await page.locator('#run-select').selectOption('referenced');
      await card(page, 'completed', 'double').click();
      await page.locator('#drawer-title', { hasText: 'double' }).waitFor();
      await page.locator('[data-part="planned-input"]', { hasText: '{{sum.output}}' }).waitFor();
      expect(JSON.parse((await page.locator('[data-part="resolved-input"]').textContent()) ?? '')).toEqual({
        x: 3,
        y: 3,
      });
      await page.locator('[data-part="output"]', { hasText: '6' }).waitFor();
      await page.screenshot({ path: `${shots}/1-drawer-references.png`, fullPage: true });
      await page.locator('#run-select').selectOption(runId);
      await card(page, 'completed', 'write').waitFor();

      await card(page, 'completed', 'sum').click();
      await page.locator('#drawer-title', { hasText: 'sum' }).waitFor();
      const attempts = page.locator('[data-section="attempts"] li');
      await attempts.filter({ hasText: 'task.retrying' }).waitFor();
      expect(await attempts.filter({ hasText: 'task.started' }).count()).toBe(2);
      await page.locator('[data-section="calls"] li', { hasText: 'add' }).waitFor();
      await page.locator('[data-section="verdicts"] li', { hasText: 'score 0.95' }).waitFor();

      await card(page, 'completed', 'write').click();
      await page.locator('#drawer-title', { hasText: 'write' }).waitFor();
      expect(await page.locator('[data-part="output"]').textContent()).toBe('line one\nline two');
      await page.locator('[data-section="calls"] li', { hasText: 'model.called' }).first().waitFor();
      await page.locator('[data-section="calls"] li', { hasText: 'tool.called · add' }).waitFor();
      // The tool call's output; scoped to its line, since another line's time may hold "42" too.
      await page.locator('[data-section="calls"] li[data-type="tool.called"]', { hasText: '42' }).waitFor();
      await page.screenshot({ path: `${shots}/2-drawer-processing.png`, fullPage: true });
      await page.locator('#drawer-close').click();
      await page.locator('#drawer').waitFor({ state: 'hidden' });

      expect(await page.locator('#answer').textContent()).toBe('First line\nSecond line');
      expect(await page.evaluate("getComputedStyle(document.getElementById('answer')).whiteSpace")).toBe('pre-wrap');
      expect(await page.locator('#run-figures h2').textContent()).toBe('This run');
      expect(await page.locator('#metrics h2').textContent()).toMatch(/^All runs/);
      expect(await figure(page, 'run-figures', 'Completed').textContent()).toBe('3');
      expect(missing).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await dashboard.close();
      await runtime.close();
    }
  });

  it('shows each event with its time and a one-line detail, filtered to one task on request', async () => {
    const { runtime, dashboard } = await finishedRun();
    const page = await context.newPage();
    try {
      await open(page, `${dashboard.url}/#${dashboard.token}`);
      const rows = page.locator('#events li');
      await rows.filter({ hasText: 'run.completed' }).waitFor();
      const model = rows.filter({ hasText: 'model.called' }).first();
      expect(await model.locator('time').textContent()).toMatch(/^\d\d:\d\d:\d\d\.\d{3}$/);
      expect(await model.locator('.detail').textContent()).toMatch(/scripted · plan · \d+→\d+ tokens · \d+ ms/);
      expect(await rows.filter({ hasText: 'task.retrying' }).locator('.detail').textContent()).toMatch(
        /attempt 1 failed, retry in \d+ ms · TOOL_FAILED/,
      );

      await page.locator('#timeline-task').selectOption('sum');
      await page.waitForFunction(
        "[...document.querySelectorAll('#events li')].every((li) => li.getAttribute('data-task') === 'sum')",
      );
      expect(await rows.count()).toBeGreaterThanOrEqual(4);
      await page.screenshot({ path: `${shots}/3-timeline-filtered.png`, fullPage: true });
      await rows.first().locator('[data-open-task="sum"]').click();
      await page.locator('#drawer-title', { hasText: 'sum' }).waitFor();
    } finally {
      await page.close();
      await dashboard.close();
      await runtime.close();
    }
  });

  it('keeps run and all-runs counts with the board once a task failed: no question stays open', async () => {
    const boom = defineTool({
      name: 'boom',
      description: 'Fails',
      input: z.object({}),
      run: () => {
        throw new Error('broken');
      },
    });
    const runtime = createRuntime({
      log: memoryLog(),
      tools: [boom],
      retry: { maxRetries: 0, initialDelayMs: 1, maxDelayMs: 1 },
      model: scriptedModel({
        plan: () => ({
          tasks: [
            { id: 'ask', description: 'Ask', kind: 'clarification', input: { question: 'Who?' } },
            { id: 'break', description: 'Break', kind: 'tool_call', tool: 'boom', input: {} },
          ],
        }),
      }),
    });
    const dashboard = await runtime.serve({ port: 0 });
    const page = await context.newPage();
    try {
      expect((await runtime.run('ask and break').result).status).toBe('failed');
      await open(page, `${dashboard.url}/#${dashboard.token}`);
      await page.locator('#run-status[data-status="failed"]').waitFor();
      await card(page, 'failed', 'ask').waitFor();
      await card(page, 'failed', 'break').waitFor();
      expect(await page.locator('[data-column="needs_clarification"] .task').count()).toBe(0);
      expect(await figure(page, 'run-figures', 'Questions open').textContent()).toBe('0');
      await figure(page, 'metrics', 'Questions open').filter({ hasText: /^0$/ }).waitFor();
      expect(await page.locator('[data-clarification]').count()).toBe(0);
      await page.screenshot({ path: `${shots}/4-failed-run-counts.png`, fullPage: true });
    } finally {
      await page.close();
      await dashboard.close();
      await runtime.close();
    }
  });

  it('disables the answer box and buttons while viewing the past, and enables them live', async () => {
    const runtime = createRuntime({
      log: memoryLog(),
      model: scriptedModel({
        plan: () => ({
          tasks: [
            { id: 'ask', description: 'Ask', kind: 'clarification', input: { question: 'Who?' } },
            { id: 'note', description: 'Take a note', kind: 'processing' },
          ],
        }),
        process: () => 'noted',
      }),
    });
    const dashboard = await runtime.serve({ port: 0 });
    const handle = runtime.run('ask someone');
    await firstValueFrom(handle.events$.pipe(filter((e) => e.type === 'task.completed')));
    const page = await context.newPage();
    try {
      await open(page, `${dashboard.url}/#${dashboard.token}`);
      const answer = page.locator('[data-clarification="ask"] textarea');
      const button = page.locator('[data-clarification="ask"] button');
      await page.locator('[data-clarification="ask"] textarea:enabled').waitFor();
      expect(await button.isEnabled()).toBe(true);

      // Back to the moment the question was asked: it shows, but cannot be answered from the past.
      const asked = await page.locator('#events li[data-type="task.clarification_requested"]').getAttribute('data-seq');
      await page.evaluate(`(() => {
        const slider = document.getElementById('timeline');
        slider.value = '${asked}';
        slider.dispatchEvent(new Event('input', { bubbles: true }));
      })()`);
      await page.locator('#mode.past').waitFor();
      await page.locator('[data-clarification="ask"] textarea:disabled').waitFor();
      expect(await button.isDisabled()).toBe(true);
      expect(await answer.getAttribute('placeholder')).toMatch(/go live/);
      await page.screenshot({ path: `${shots}/5-past-disabled.png`, fullPage: true });

      await page.locator('#go-live').click();
      await page.locator('[data-clarification="ask"] textarea:enabled').waitFor();
      expect(await button.isEnabled()).toBe(true);
    } finally {
      await page.close();
      await dashboard.close();
      await runtime.close();
    }
  });

  it('fits a 420 px wide screen, drawer included, and serves a favicon', async () => {
    const { runtime, dashboard } = await finishedRun();
    const page = await context.newPage();
    try {
      await page.setViewportSize({ width: 420, height: 900 });
      const { missing } = await open(page, `${dashboard.url}/#${dashboard.token}`);
      await card(page, 'completed', 'write').waitFor();
      const overflow = await page.evaluate('document.documentElement.scrollWidth');
      expect(overflow).toBeLessThanOrEqual(420);
      for (const box of await page
        .locator('.column, section, #events li')
        .evaluateAll((els) => els.map((el) => el.getBoundingClientRect().right))) {
        expect(box).toBeLessThanOrEqual(420);
      }
      await page.screenshot({ path: `${shots}/6-narrow.png`, fullPage: true });
      await card(page, 'completed', 'double').click();
      await page.locator('#drawer-title', { hasText: 'double' }).waitFor();
      const drawer = await page.locator('#drawer').boundingBox();
      expect(drawer !== null && drawer.x >= 0 && drawer.x + drawer.width <= 420).toBe(true);
      await page.screenshot({ path: `${shots}/7-narrow-drawer.png` });

      const icon = await page.request.get(`${dashboard.url}/favicon.ico`);
      expect(icon.status()).toBe(200);
      expect(icon.headers()['content-type']).toMatch(/^image\/svg\+xml/);
      expect(missing).toEqual([]);
    } finally {
      await page.close();
      await dashboard.close();
      await runtime.close();
    }
  });
});
