import type { InStatement } from '@libsql/client';
import type { Database } from '../db/client.ts';
import type { BatchMessage, IngestEvent, Rejection } from './parse-batch.ts';

/**
 * What a content kind adds to ingestion, so that the generic path names no kind (server/kinds.ts
 * lists each kind's hooks). Both steps see only messages that passed validation.
 *
 * @example
 * const surveyIngest: IngestHooks = { reject: rejectSurveyEvents, project: surveyResponseUpsert }
 */
export interface IngestHooks {
  /**
   * The messages of one workspace's batch this kind refuses before anything is stored (an answer to
   * a survey that does not exist): read from the database, outside the commit.
   */
  reject?(db: Database, workspaceId: string, messages: readonly BatchMessage[]): Promise<Rejection[]>;
  /**
   * Statements run in the ingest commit after its events are inserted, projecting them into the
   * kind's own tables (survey responses); given every event of the commit, of every workspace.
   * Must be idempotent: a replayed message is offered again.
   */
  project?(workspaceId: string, events: readonly IngestEvent[]): InStatement[];
}
