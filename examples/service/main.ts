// Embedding troupe in a Node HTTP service: one runtime on a durable SQLite log, POST /runs,
// GET /runs/:id, GET /runs/:id/events (SSE), and a graceful shutdown on SIGTERM.
//   npm run example:service             starts, serves one run to itself, shuts down (CI)
//   npm run example:service -- --serve  keeps serving on $PORT (default 3000) until SIGTERM
import { mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { createRuntime, demoModel, Outbox, socialPlatformTools, sqliteLog } from 'troupe';
import { startService } from './service.js';

const serve = process.argv.includes('--serve');
mkdirSync('.troupe', { recursive: true });
const log = sqliteLog(process.env.TROUPE_LOG ?? '.troupe/service.db');
const runtime = createRuntime({ log, model: demoModel(), tools: socialPlatformTools(new Outbox()) });
const service = await startService({ runtime, log, port: serve ? Number(process.env.PORT ?? 3000) : 0 });
console.log(`troupe service on ${service.url}`);

let stopping: Promise<void> | undefined;
function shutdown(signal: string): Promise<void> {
  stopping ??= (async () => {
    console.log(`${signal}: finishing in-flight appends, cancelling runs still going, closing the log`);
    await service.close();
    console.log('closed');
  })();
  return stopping;
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));

/** The self-test: what a client of the service does, over real HTTP. */
function call(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${service.url}${path}`, { method, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

if (!serve) {
  const started = await call('POST', '/runs', { goal: "post 'hello from the service' to all social platforms" });
  const { runId } = JSON.parse(started.text) as { runId: string };
  console.log(`POST /runs → ${started.status} ${runId}`);
  // The SSE stream ends after the run's last event.
  const stream = await call('GET', `/runs/${runId}/events`);
  const types = stream.text
    .split('\n')
    .filter((line) => line.startsWith('event: '))
    .map((line) => line.slice(7));
  console.log(`GET /runs/${runId}/events → ${types.length} events: ${types.join(', ')}`);
  const run = JSON.parse((await call('GET', `/runs/${runId}`)).text) as { status: string; answer?: string };
  console.log(`GET /runs/${runId} → ${run.status}`);
  const bad = await call('POST', '/runs', { goal: '' });
  console.log(`POST /runs with an empty goal → ${bad.status} ${bad.text}`);
  process.kill(process.pid, 'SIGTERM');
  await new Promise<void>((resolve) => setImmediate(resolve));
  await stopping;
  process.exitCode = run.status === 'completed' && types.at(-1) === 'run.completed' && bad.status === 400 ? 0 : 1;
}
