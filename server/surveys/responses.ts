import type { InStatement } from '@libsql/client';
import { and, eq, inArray } from 'drizzle-orm';
import { internalEvent } from '../../shared/schemas/internal-event.ts';
import type { Database } from '../db/client.ts';
import { contents, contentVersions, surveyResponses } from '../db/schema.ts';
import type { IngestHooks } from '../ingest/hooks.ts';
import { internalProperty } from '../ingest/internal-property.ts';
import type { BatchMessage, IngestEvent, Rejection } from '../ingest/parse-batch.ts';

const surveyEvents = new Set([
  internalEvent('survey_shown'),
  internalEvent('survey_dismissed'),
  internalEvent('survey_answered'),
]);
const answered = internalEvent('survey_answered');

/**
 * The survey events of a batch that cannot be counted: an unknown survey or version, or an answer
 * without a user id (a response belongs to a person). The schema has already checked the score and
 * the comment's length. One read, and only for batches that hold survey events.
 */
export async function rejectSurveyEvents(
  db: Database,
  workspaceId: string,
  events: readonly BatchMessage[],
): Promise<Rejection[]> {
  const surveys = events.filter(({ event }) => event.type === 'track' && surveyEvents.has(event.name ?? ''));
  if (surveys.length === 0) return [];
  const refs = surveys.map(({ index, event }) => {
    const properties = JSON.parse(event.properties ?? '{}') as {
      contentId: string;
      version: number;
      responseId?: string;
    };
    return { index, event, ...properties };
  });
  const rows = await db.read
    .select({ id: contentVersions.contentId, version: contentVersions.version })
    .from(contentVersions)
    .innerJoin(
      contents,
      and(eq(contents.workspaceId, contentVersions.workspaceId), eq(contents.id, contentVersions.contentId)),
    )
    .where(
      and(
        eq(contentVersions.workspaceId, workspaceId),
        eq(contents.kind, 'survey'),
        inArray(contentVersions.contentId, [...new Set(refs.map((ref) => ref.contentId))]),
      ),
    );
  const known = new Map<string, Set<number>>();
  for (const row of rows) known.set(row.id, (known.get(row.id) ?? new Set()).add(row.version));
  // A response id belongs to one user's answer to one survey: nobody else's message may change it.
  const responseIds = [...new Set(refs.flatMap((ref) => (ref.responseId ? [ref.responseId] : [])))];
  const owners = new Map<string, string>();
  if (responseIds.length > 0) {
    const existing = await db.read
      .select({ id: surveyResponses.id, userId: surveyResponses.userId, surveyId: surveyResponses.surveyId })
      .from(surveyResponses)
      .where(and(eq(surveyResponses.workspaceId, workspaceId), inArray(surveyResponses.id, responseIds)));
    for (const row of existing) owners.set(row.id, `${row.userId}\u0000${row.surveyId}`);
  }

  const rejected: Rejection[] = [];
  for (const ref of refs) {
    const errors: Rejection['errors'] = [];
    const versions = known.get(ref.contentId);
    if (!versions) {
      errors.push({
        pointer: `/batch/${ref.index}/properties/contentId`,
        detail: `names no survey of this workspace ("${ref.contentId}")`,
      });
    } else if (!versions.has(ref.version)) {
      errors.push({
        pointer: `/batch/${ref.index}/properties/version`,
        detail: `survey ${ref.contentId} has no published version ${ref.version}`,
      });
    }
    if (ref.event.name === answered && ref.event.userId === null) {
      errors.push({ pointer: `/batch/${ref.index}/userId`, detail: 'a survey answer needs the user id' });
    } else if (ref.event.name === answered && ref.responseId) {
      const owner = `${ref.event.userId}\u0000${ref.contentId}`;
      if ((owners.get(ref.responseId) ?? owner) !== owner) {
        errors.push({
          pointer: `/batch/${ref.index}/properties/responseId`,
          detail: "is the id of another user's response or of a response to another survey",
        });
      } else {
        owners.set(ref.responseId, owner);
      }
    }
    if (errors.length > 0) rejected.push({ index: ref.index, errors });
  }
  return rejected;
}

/**
 * Upserts the responses carried by these messages (`survey_answered`, stored in the same commit):
 * one row per response id. The newest event's score wins, a comment once given stays unless a newer
 * one replaces it, and `responded_at` is the earliest event's time. Replaying the same messages
 * changes nothing, so a duplicate is harmless. The account is the message's, else the user's.
 */
export function surveyResponseUpsert(workspaceId: string, events: readonly IngestEvent[]): InStatement[] {
  const messageIds = events
    .filter((event) => event.workspaceId === workspaceId && event.type === 'track' && event.name === answered)
    .map((event) => event.messageId);
  if (messageIds.length === 0) return [];
  return [
    {
      sql: `INSERT INTO survey_responses
          (workspace_id, id, survey_id, version, user_id, account_id, score, comment, responded_at, updated_at)
        SELECT e.workspace_id, ${internalProperty('responseId', 'e.properties')}, ${internalProperty('contentId', 'e.properties')},
          ${internalProperty('version', 'e.properties')}, e.user_id, coalesce(e.account_id, u.account_id),
          ${internalProperty('score', 'e.properties')}, nullif(${internalProperty('comment', 'e.properties')}, ''),
          e.timestamp, e.timestamp
        FROM events e
        LEFT JOIN users u ON u.workspace_id = e.workspace_id AND u.id = e.user_id
        WHERE e.workspace_id = ? AND e.message_id IN (${messageIds.map(() => '?').join(', ')})
          AND e.type = 'track' AND e.name = ? AND e.user_id IS NOT NULL
        ORDER BY e.timestamp
        ON CONFLICT (workspace_id, id) DO UPDATE SET
          score = CASE WHEN excluded.updated_at >= survey_responses.updated_at
            THEN excluded.score ELSE survey_responses.score END,
          comment = CASE WHEN excluded.comment IS NOT NULL AND (survey_responses.comment IS NULL
              OR excluded.updated_at >= survey_responses.updated_at)
            THEN excluded.comment ELSE survey_responses.comment END,
          responded_at = min(survey_responses.responded_at, excluded.responded_at),
          updated_at = max(survey_responses.updated_at, excluded.updated_at)
        WHERE survey_responses.user_id = excluded.user_id AND survey_responses.survey_id = excluded.survey_id`,
      args: [workspaceId, ...messageIds, answered],
    },
  ];
}

/** What surveys add to ingestion: answers to surveys that exist only, projected into `survey_responses`. */
export const surveyIngest: IngestHooks = { reject: rejectSurveyEvents, project: surveyResponseUpsert };
