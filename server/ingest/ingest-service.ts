import { type BatchResult, limits } from '../../shared/schemas/message.ts';
import type { Database } from '../db/client.ts';
import { GroupCommit } from '../db/group-commit.ts';
import { StorageBusyError } from '../db/writer.ts';
import type { GoalCatalog } from '../goals/catalog.ts';
import { rejectSurveyEvents } from '../surveys/responses.ts';
import type { Tenant } from '../workspaces/store.ts';
import { type IngestEvent, type ParsedBatch, parseBatch } from './parse-batch.ts';
import { type StoreResult, storeEvents } from './store-events.ts';

/**
 * Validates a batch and stores its valid messages, answering only after they are committed.
 * Concurrent requests share commits (see GroupCommit), which is where ingestion throughput comes from.
 */
export class IngestService {
  readonly #commits: GroupCommit<IngestEvent[], StoreResult>;

  readonly #db: Database;

  constructor(deps: { db: Database; goals: GoalCatalog; clock: () => number }) {
    this.#db = deps.db;
    const store = { writer: deps.db.writer, goals: deps.goals, clock: deps.clock };
    this.#commits = new GroupCommit((requests) => storeEvents(store, requests), {
      // A busy database fails every request alike (503): splitting the group would only wait again.
      splits: (error) => !(error instanceof StorageBusyError),
    });
  }

  /**
   * @example
   * await ingest.ingest(body, { tenant, receivedAt: Date.now(), bodyBytes: 1234 })
   * // { success: true, accepted: 20, duplicates: 0, rejected: [], rejectedCount: 0 }
   */
  async ingest(
    body: unknown,
    options: { tenant: Tenant; receivedAt: number; bodyBytes: number },
  ): Promise<BatchResult> {
    const parsed = parseBatch(body, options);
    const { events, rejected } = await this.#checkReferences(parsed, options.tenant.workspace.id);
    const stored = events.length === 0 ? { accepted: 0, duplicates: 0 } : await this.#commits.submit(events);
    // The first rejections tell a client what is wrong; listing all 500 of a junk batch only costs.
    return {
      success: rejected.length === 0,
      ...stored,
      rejected: rejected.slice(0, limits.reportedRejections),
      rejectedCount: rejected.length,
    };
  }

  /** Moves the messages that name content that does not exist (survey answers) to `rejected`. */
  async #checkReferences(parsed: ParsedBatch, workspaceId: string): Promise<ParsedBatch> {
    const surveyRejects = await rejectSurveyEvents(
      this.#db,
      workspaceId,
      parsed.events.map((event, i) => ({ index: parsed.indexes[i] ?? i, event })),
    );
    if (surveyRejects.length === 0) return parsed;
    const bad = new Set(surveyRejects.map((reject) => reject.index));
    return {
      events: parsed.events.filter((_, i) => !bad.has(parsed.indexes[i] ?? i)),
      indexes: parsed.indexes.filter((index) => !bad.has(index)),
      rejected: [...parsed.rejected, ...surveyRejects].sort((a, b) => a.index - b.index),
    };
  }
}
