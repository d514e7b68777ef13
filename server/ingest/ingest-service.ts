import { type BatchResult, limits } from '../../shared/schemas/message.ts';
import type { Database } from '../db/client.ts';
import { GroupCommit } from '../db/group-commit.ts';
import { StorageBusyError } from '../db/writer.ts';
import type { GoalCatalog } from '../goals/catalog.ts';
import type { Tenant } from '../workspaces/store.ts';
import type { IngestHooks } from './hooks.ts';
import { type IngestEvent, type ParsedBatch, parseBatch } from './parse-batch.ts';
import { type StoreResult, storeEvents } from './store-events.ts';

/**
 * Validates a batch and stores its valid messages, answering only after they are committed.
 * Concurrent requests share commits (see GroupCommit), which is where ingestion throughput comes from.
 */
export class IngestService {
  readonly #commits: GroupCommit<IngestEvent[], StoreResult>;

  readonly #db: Database;

  readonly #hooks: readonly IngestHooks[];

  /** `hooks`: what each content kind adds to ingestion (server/kinds.ts). */
  constructor(deps: {
    db: Database;
    goals: GoalCatalog;
    clock: () => number;
    hooks: readonly IngestHooks[];
  }) {
    this.#db = deps.db;
    this.#hooks = deps.hooks;
    const store = { writer: deps.db.writer, goals: deps.goals, clock: deps.clock, hooks: deps.hooks };
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
    const { messages, rejected } = await this.#checkReferences(parsed, options.tenant.workspace.id);
    const stored =
      messages.length === 0
        ? { accepted: 0, duplicates: 0 }
        : await this.#commits.submit(messages.map((message) => message.event));
    // The first rejections tell a client what is wrong; listing all 500 of a junk batch only costs.
    return {
      success: rejected.length === 0,
      ...stored,
      rejected: rejected.slice(0, limits.reportedRejections),
      rejectedCount: rejected.length,
    };
  }

  /** Moves the messages a content kind refuses (an answer to a survey that does not exist) to `rejected`. */
  async #checkReferences(parsed: ParsedBatch, workspaceId: string): Promise<ParsedBatch> {
    const refused = [];
    for (const hooks of this.#hooks)
      if (hooks.reject) refused.push(...(await hooks.reject(this.#db, workspaceId, parsed.messages)));
    if (refused.length === 0) return parsed;
    const bad = new Set(refused.map((reject) => reject.index));
    return {
      messages: parsed.messages.filter((message) => !bad.has(message.index)),
      rejected: [...parsed.rejected, ...refused].sort((a, b) => a.index - b.index),
    };
  }
}
