import type { BatchResult } from '../../shared/schemas/message.ts';
import { GroupCommit } from '../db/group-commit.ts';
import type { Writer } from '../db/writer.ts';
import type { GoalCatalog } from '../goals/catalog.ts';
import type { Tenant } from '../workspaces/store.ts';
import { type IngestEvent, parseBatch } from './parse-batch.ts';
import { type StoreResult, storeEvents } from './store-events.ts';

/**
 * Validates a batch and stores its valid messages, answering only after they are committed.
 * Concurrent requests share commits (see GroupCommit), which is where ingestion throughput comes from.
 */
export class IngestService {
  readonly #commits: GroupCommit<IngestEvent[], StoreResult>;

  constructor(deps: { writer: Writer; goals: GoalCatalog; clock: () => number }) {
    this.#commits = new GroupCommit((requests) => storeEvents(deps, requests));
  }

  /**
   * @example
   * await ingest.ingest(body, { tenant, receivedAt: Date.now(), bodyBytes: 1234 })
   * // { success: true, accepted: 20, duplicates: 0, rejected: [] }
   */
  async ingest(
    body: unknown,
    options: { tenant: Tenant; receivedAt: number; bodyBytes: number },
  ): Promise<BatchResult> {
    const { events, rejected } = parseBatch(body, options);
    const stored = events.length === 0 ? { accepted: 0, duplicates: 0 } : await this.#commits.submit(events);
    return { success: rejected.length === 0, ...stored, rejected };
  }
}
