import type { Database } from '../db/client.ts';
import { csvRecord } from '../http/csv.ts';
import { type Cursor, listResponses, type ResponseFilter } from './verbatims.ts';

/** The NPS responses as CSV, the columns of the export (README, "NPS surveys"). */
export const csvHeader = [
  'response_id',
  'survey_id',
  'version',
  'user_id',
  'account_id',
  'score',
  'group',
  'comment',
  'responded_at',
] as const;

const csvPageSize = 5000;

/**
 * Every response matching the filter as CSV (header first), streamed a page at a time so a large
 * export never sits in memory whole.
 */
export function responsesCsv(
  db: Database,
  workspaceId: string,
  filter: ResponseFilter,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let after: Cursor | undefined;
  let done = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(csvRecord(csvHeader)));
    },
    async pull(controller) {
      if (done) return;
      const rows = await listResponses(db, workspaceId, filter, { limit: csvPageSize, after });
      const last = rows.at(-1);
      if (last) {
        after = { respondedAt: Date.parse(last.respondedAt), id: last.id };
        const lines = rows.map((r) =>
          csvRecord([
            r.id,
            r.surveyId,
            r.version,
            r.userId,
            r.accountId,
            r.score,
            r.group,
            r.comment,
            r.respondedAt,
          ]),
        );
        controller.enqueue(encoder.encode(lines.join('')));
      }
      if (rows.length < csvPageSize) {
        done = true;
        controller.close();
      }
    },
  });
}
