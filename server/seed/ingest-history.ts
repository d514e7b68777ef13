import { limits } from '../../shared/schemas/message.ts';
import type { Database } from '../db/client.ts';
import type { GoalCatalog } from '../goals/catalog.ts';
import { IngestService } from '../ingest/ingest-service.ts';
import { ingestHooks } from '../kinds.ts';
import type { Tenant } from '../workspaces/store.ts';
import type { SyntheticAccount } from './synthetic.ts';

/** Where an ingestion of a history has got to. */
export interface HistoryProgress {
  accounts: number;
  /** Messages sent to ingestion so far. */
  messages: number;
  /** Of them, stored (not duplicates). */
  accepted: number;
  elapsedMs: number;
  /** CPU time this process used meanwhile (all its threads): a rate per CPU-second is steadier than per second on a shared machine. */
  cpuMs: number;
}

/**
 * Sends a history to the real ingestion service, as the customer's own server would send it (with
 * the secret key): batches of 500 messages, eight in flight at once so that the group commit writes
 * them together, exactly as concurrent requests. Milestones, checklist progress and survey responses
 * are therefore maintained as for live traffic. Throws on the first message ingestion refuses.
 *
 * @example
 * const done = await ingestHistory(db, tenant, goals, syntheticHistory(options), { now, onProgress: console.log })
 */
export async function ingestHistory(
  db: Database,
  tenant: Tenant,
  goals: GoalCatalog,
  history: Iterable<SyntheticAccount>,
  options: {
    now: number;
    /** Batches in flight at once (default 8). */
    concurrency?: number;
    /** Called after every `progressEvery` messages (default 100,000) and at the end; awaited. */
    onProgress?: (progress: HistoryProgress) => void | Promise<void>;
    progressEvery?: number;
  },
): Promise<HistoryProgress> {
  const ingest = new IngestService({ db, goals, clock: () => options.now, hooks: ingestHooks });
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  const progress: HistoryProgress = { accounts: 0, messages: 0, accepted: 0, elapsedMs: 0, cpuMs: 0 };
  const snapshot = (): HistoryProgress => {
    const cpu = process.cpuUsage(cpuAtStart);
    return { ...progress, elapsedMs: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000 };
  };
  const every = options.progressEvery ?? 100_000;
  let nextReport = every;
  const inFlight = new Set<Promise<void>>();
  let failure: unknown = null;

  const send = (batch: unknown[]) => {
    const body = { batch };
    const request = ingest
      .ingest(body, { tenant, receivedAt: options.now, bodyBytes: Buffer.byteLength(JSON.stringify(body)) })
      .then((result) => {
        if (!result.success) throw new Error(`history rejected: ${JSON.stringify(result.rejected[0])}`);
        progress.accepted += result.accepted;
      })
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  };

  let batch: unknown[] = [];
  for (const account of history) {
    for (const message of account.messages) {
      batch.push(message);
      if (batch.length < limits.batchMessages) continue;
      send(batch);
      batch = [];
      if (inFlight.size >= (options.concurrency ?? 8)) await Promise.race(inFlight);
      if (failure) throw failure;
    }
    progress.accounts++;
    progress.messages += account.messages.length;
    if (progress.messages >= nextReport) {
      nextReport += every;
      await options.onProgress?.(snapshot());
    }
  }
  if (batch.length > 0) send(batch);
  await Promise.all(inFlight);
  if (failure) throw failure;
  const done = snapshot();
  await options.onProgress?.(done);
  return done;
}
