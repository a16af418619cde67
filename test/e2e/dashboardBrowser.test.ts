import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { filter, firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { memoryLog } from '../../src/log/memoryLog.js';
import { scriptedModel } from '../../src/model/scriptedModel.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';
import { defineTool } from '../../src/tools/defineTool.js';
import { findChromium } from '../support/chromium.js';

const shots = 'test-results/dashboard';
const browserPath = findChromium();
let profile: string;
let context: BrowserContext;

beforeAll(async () => {
  if (browserPath === undefined) return;
  mkdirSync(shots, { recursive: true });
  profile = mkdtempSync(join(tmpdir(), 'troupe-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: browserPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport: { width: 1280, height: 1400 },
  });
  // Every step waits for a state of the page; on a loaded machine that may take longer than Playwright's 30 s default.
  context.setDefaultTimeout(100_000);
});

afterAll(async () => {
  await context?.close();
  if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
});

/** A run that waits on a gated tool, a human answer and a human review, so the board moves as we act. */
function gatedRun() {
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const slow = defineTool({
    name: 'publish',
    description: 'waits for the gate',
    input: z.object({}),
    run: async () => {
      await gate;
      return 'published';
    },
  });
  const model = scriptedModel({
    plan: () => ({
      tasks: [
        { id: 'ask', description: 'Ask the audience', kind: 'clarification', input: { question: 'Who is it for?' } },
        { id: 'draft', description: 'Draft the post', kind: 'processing' },
        { id: 'publish', description: 'Publish it', kind: 'tool_call', tool: 'publish', input: {} },
        { id: 'report', description: 'Report back', kind: 'processing', dependsOn: ['ask', 'draft', 'publish'] },
      ],
    }),
    process: (task) => `${task.id} done`,
  });
  const runtime = createRuntime({
    log: memoryLog(),
    model,
    tools: [slow],
    judge: { score: ({ taskId }) => (taskId === 'draft' ? 0.8 : 1) },
  });
  return { runtime, open: () => open() };
}

const card = (page: Page, column: string, id: string) =>
  page.locator(`[data-column="${column}"] [data-task-id="${id}"]`);

describe.skipIf(browserPath === undefined)('dashboard in a browser', () => {
  it('shows tasks moving, takes an answer and a review decision, and travels back in time', async () => {
    const { runtime, open } = gatedRun();
    const dashboard = await runtime.serve({ port: 0 });
    const handle = runtime.run('announce the release');
    await firstValueFrom(handle.events$.pipe(filter((e) => e.type === 'review.requested')));
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    try {
      await page.goto(`${dashboard.url}/#${dashboard.token}`);
      expect(new URL(page.url()).hash).toBe('');
      await card(page, 'running', 'publish').waitFor();
      await card(page, 'needs_clarification', 'ask').waitFor();
      await card(page, 'planned', 'report').waitFor();
      await card(page, 'awaiting_review', 'draft').waitFor();
      await page.locator('[data-review] strong', { hasText: 'draft' }).waitFor();
      await page.locator('#metric-cards [data-metric="Running"]').waitFor();
      await page.locator('#graph [data-node="report"]').waitFor();
      await page.screenshot({ path: `${shots}/1-waiting.png`, fullPage: true });

      await page.locator('[data-clarification="ask"] textarea').fill('Developers');
      await page.locator('[data-clarification="ask"] button').click();
      await card(page, 'completed', 'ask').waitFor();

      await page.locator('[data-review] button[data-decision="approve"]').click();
      await card(page, 'completed', 'draft').waitFor();
      expect(await page.locator('[data-review]').count()).toBe(0);

      open();
      await card(page, 'completed', 'report').waitFor();
      await page.locator('#run-status[data-status="completed"]').waitFor();
      await page.screenshot({ path: `${shots}/2-completed.png`, fullPage: true });
      expect((await handle.result).status).toBe('completed');

      // Drag the timeline to its start: the board shows the run before its plan existed. The server
      // answers each state request slowly, as a loaded one does, so the drag (a hand's pace, a second long) outruns the answers.
      await page.route('**/state?until=*', async (route) => {
        await new Promise((resolve) => setTimeout(resolve, 400));
        await route.continue();
      });
      const slider = page.locator('#timeline');
      const box = await slider.boundingBox();
      if (box === null) throw new Error('the timeline slider is not visible');
      await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2);
      await page.mouse.down();
      for (let step = 1; step <= 10; step += 1) {
        await page.mouse.move(box.x + box.width - 2 - ((box.width - 3) * step) / 10, box.y + box.height / 2);
        await page.waitForTimeout(100);
      }
      await page.mouse.up();
      await page.locator('#mode >> text=viewing the past').waitFor();
      await page.locator('#graph >> text=No plan yet').waitFor();
      expect(await page.locator('[data-column="completed"] .task').count()).toBe(0);
      await page.screenshot({ path: `${shots}/3-time-travel.png`, fullPage: true });

      // One step forward from the plan: every task is planned, none has started.
      await page.locator('#go-live').click();
      await card(page, 'completed', 'report').waitFor();
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await dashboard.close();
      await runtime.close();
    }
  });

  it('tells a visitor without the token that actions need it, and changes nothing', async () => {
    const runtime = createRuntime({
      model: scriptedModel({
        plan: () => ({
          tasks: [{ id: 'ask', description: 'Ask', kind: 'clarification', input: { question: 'Who?' } }],
        }),
      }),
    });
    const dashboard = await runtime.serve({ port: 0 });
    const handle = runtime.run('ask someone');
    await firstValueFrom(handle.events$.pipe(filter((e) => e.type === 'task.clarification_requested')));
    const page = await context.newPage();
    try {
      await page.goto(`${dashboard.url}/`);
      await page.evaluate('sessionStorage.clear()');
      await page.reload();
      await page.locator('[data-clarification="ask"] textarea').fill('Me');
      await page.locator('[data-clarification="ask"] button').click();
      await page.locator('#notice >> text=Not allowed').waitFor();
      expect((await runtime.replay(handle.runId)).tasks.get('ask')?.status).toBe('needs_clarification');
    } finally {
      await page.close();
      await dashboard.close();
      await runtime.close();
    }
  });
});
