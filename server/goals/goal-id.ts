import { type SQL, sql } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';

/**
 * Goal ids, built in one place: a milestone's is `milestone:<id>`, a checklist item's
 * `item:<checklistId>:<itemId>` (what `goal_progress.goal` holds).
 *
 * @example
 * goalId.milestone('ms_1') // 'milestone:ms_1'
 */
export const goalId = {
  milestone: (milestoneId: string) => `milestone:${milestoneId}`,
  item: (checklistId: string, itemId: string) => `item:${checklistId}:${itemId}`,
};

/**
 * The same ids built in SQL from a column, for joins on `goal_progress.goal`.
 *
 * @example
 * eq(goalProgress.goal, goalIdSql.milestone(milestones.id)) // goal = 'milestone:' || milestones.id
 */
export const goalIdSql = {
  milestone: (milestoneId: SQLiteColumn): SQL<string> => sql<string>`'milestone:' || ${milestoneId}`,
};

/**
 * The key of a subject's progress on a goal in a page view's read (server/content/subject-read.ts):
 * `user:<goal>` or `account:<goal>`.
 *
 * @example
 * progressKey('account', goalId.milestone('ms_1')) // 'account:milestone:ms_1'
 */
export const progressKey = (subject: 'user' | 'account', goal: string): string => `${subject}:${goal}`;
