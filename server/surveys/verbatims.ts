import { and, desc, eq, gte, inArray, isNotNull, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { type NpsGroup, npsGroupOf } from '../../shared/schemas/survey.ts';
import type { Database } from '../db/client.ts';
import { accounts, surveyResponses, users } from '../db/schema.ts';
import type { Period } from './periods.ts';
import { traitJson, traitOf } from './traits.ts';

/** A position in the verbatims, newest first: opaque to clients (base64url of `[respondedAt, id]`). */
export const cursor = z.string().transform((text, ctx) => {
  try {
    const [at, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown[];
    if (typeof at === 'number' && typeof id === 'string') return { respondedAt: at, id };
  } catch {
    // Not base64url JSON: reported below like any other wrong shape.
  }
  ctx.addIssue({ code: 'custom', message: 'is not a cursor this API returned' });
  return z.NEVER;
});
export type Cursor = z.output<typeof cursor>;

/** What the verbatims, the CSV export and the detractor signal select responses by. */
export interface ResponseFilter {
  /** One survey; every survey of the workspace when absent. */
  surveyId?: string;
  range: Period;
  group?: NpsGroup | undefined;
  /** A trait and the label of its value (null: the trait is missing). */
  segment?: { trait: string; value: string | null } | undefined;
  accountId?: string | undefined;
  q?: string | undefined;
  hasComment?: boolean | undefined;
}

export interface Verbatim {
  id: string;
  surveyId: string;
  version: number;
  userId: string;
  accountId: string | null;
  score: number;
  group: NpsGroup;
  comment: string | null;
  /** ISO 8601: when the score was first given. */
  respondedAt: string;
}

/** `100%` as a LIKE pattern that matches the text `100%` anywhere (escape character: `\`). */
const containsPattern = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function filterConditions(workspaceId: string, filter: ResponseFilter): Array<SQL | undefined> {
  const { segment } = filter;
  const trait = segment ? traitJson(traitOf(segment.trait)) : null;
  return [
    eq(surveyResponses.workspaceId, workspaceId),
    filter.surveyId === undefined ? undefined : eq(surveyResponses.surveyId, filter.surveyId),
    gte(surveyResponses.respondedAt, filter.range.from),
    lt(surveyResponses.respondedAt, filter.range.to),
    filter.group === undefined
      ? undefined
      : inArray(
          surveyResponses.score,
          scores.filter((score) => npsGroupOf(score) === filter.group),
        ),
    filter.accountId === undefined ? undefined : eq(surveyResponses.accountId, filter.accountId),
    !filter.q ? undefined : sql`${surveyResponses.comment} LIKE ${containsPattern(filter.q)} ESCAPE '\\'`,
    filter.hasComment === undefined
      ? undefined
      : filter.hasComment
        ? isNotNull(surveyResponses.comment)
        : isNull(surveyResponses.comment),
    // The label is the JSON text of a number or boolean (`3`, `true`), or a string as it is.
    !segment || !trait
      ? undefined
      : segment.value === null
        ? or(isNull(trait), eq(trait, 'null'))
        : or(eq(trait, segment.value), eq(trait, sql`json_quote(${segment.value})`)),
  ];
}

const scores = Array.from({ length: 11 }, (_, score) => score);

/**
 * Responses matching a filter, newest first (by `respondedAt`, then id), from just after `after`:
 * every response, not only each person's latest.
 */
export async function listResponses(
  db: Database,
  workspaceId: string,
  filter: ResponseFilter,
  page: { limit?: number; after?: Cursor | undefined } = {},
): Promise<Verbatim[]> {
  const { after } = page;
  let query = db.reports
    .select({
      id: surveyResponses.id,
      surveyId: surveyResponses.surveyId,
      version: surveyResponses.version,
      userId: surveyResponses.userId,
      accountId: surveyResponses.accountId,
      score: surveyResponses.score,
      comment: surveyResponses.comment,
      respondedAt: surveyResponses.respondedAt,
    })
    .from(surveyResponses)
    .leftJoin(
      users,
      and(eq(users.workspaceId, surveyResponses.workspaceId), eq(users.id, surveyResponses.userId)),
    )
    .leftJoin(
      accounts,
      and(eq(accounts.workspaceId, surveyResponses.workspaceId), eq(accounts.id, surveyResponses.accountId)),
    )
    .where(
      and(
        ...filterConditions(workspaceId, filter),
        after === undefined
          ? undefined
          : sql`(${surveyResponses.respondedAt}, ${surveyResponses.id}) < (${after.respondedAt}, ${after.id})`,
      ),
    )
    .orderBy(desc(surveyResponses.respondedAt), desc(surveyResponses.id))
    .$dynamic();
  if (page.limit !== undefined) query = query.limit(page.limit);
  const rows = await query;
  return rows.map((row) => ({
    ...row,
    group: npsGroupOf(row.score),
    respondedAt: new Date(row.respondedAt).toISOString(),
  }));
}

/** The cursor that continues after this response. */
const cursorAfter = (response: Verbatim): string =>
  Buffer.from(JSON.stringify([Date.parse(response.respondedAt), response.id])).toString('base64url');

/**
 * One page of verbatims, and `next`: the `cursor` query parameter of the page after it (null on
 * the last page).
 *
 * @example
 * const { responses, next } = await responsesPage(db, ws, filter, { limit: 50 })
 */
export async function responsesPage(
  db: Database,
  workspaceId: string,
  filter: ResponseFilter,
  page: { limit: number; after?: Cursor | undefined },
) {
  const rows = await listResponses(db, workspaceId, filter, { limit: page.limit + 1, after: page.after });
  const responses = rows.slice(0, page.limit);
  const last = responses.at(-1);
  return { responses, next: rows.length > page.limit && last ? cursorAfter(last) : null };
}
