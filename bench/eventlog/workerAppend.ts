import { Worker } from 'node:worker_threads';
import type { TroupeEvent, UnsequencedEvent } from 'troupe';
import { checkEvents, encodeEvent } from './logInternals.js';

/**
 * Appends like sqliteLog (checked, encoded, group-committed, acknowledged once durable) but
 * commits on a worker thread: while one batch is being fsynced there, the next one gathers, so
 * batches grow with load and the event loop never waits on the disk.
 */
export async function appendViaWorker(file: string, synchronous: string, events: readonly UnsequencedEvent[]) {
  const worker = new Worker(new URL('./commitWorker.js', import.meta.url), { workerData: { file, synchronous } });
  let nextSeq = 0;
  let pending: [number, string, string][] = [];
  let waiters: (() => void)[] = [];
  const inFlight = new Map<number, (() => void)[]>();
  let batchId = 0;
  let scheduled = false;
  const send = () => {
    scheduled = false;
    if (pending.length === 0 || inFlight.size > 0) return;
    inFlight.set(batchId, waiters);
    worker.postMessage({ id: batchId++, rows: pending });
    pending = [];
    waiters = [];
  };
  worker.on('message', (id: number) => {
    for (const done of inFlight.get(id) ?? []) done();
    inFlight.delete(id);
    send();
  });
  const append = (batch: readonly UnsequencedEvent[]) => {
    checkEvents(batch);
    for (const draft of batch) {
      const event = Object.assign({}, draft) as TroupeEvent;
      event.seq = nextSeq++;
      pending.push([event.seq, event.type, encodeEvent(draft)]);
    }
    const acknowledged = new Promise<void>((resolve) => waiters.push(resolve));
    if (!scheduled) {
      scheduled = true;
      setImmediate(send);
    }
    return acknowledged;
  };
  const online = new Promise((resolve) => worker.once('online', resolve));
  await online;
  const started = performance.now();
  const elu = performance.eventLoopUtilization();
  await Promise.all(events.map((event) => append([event])));
  const elapsed = performance.now() - started;
  const busy = performance.eventLoopUtilization(elu).active;
  worker.postMessage('close');
  await new Promise((resolve) => worker.once('exit', resolve));
  return { elapsed, busy };
}
