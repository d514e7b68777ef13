import { sql } from 'drizzle-orm';
import type { AdoptionSeries } from '../../shared/schemas/adoption.ts';
import { dayMs } from '../../shared/time.ts';
import type { Database } from '../db/client.ts';

const isoDay = (day: number) => new Date(day * dayMs).toISOString().slice(0, 10);

/**
 * Active users over time (README, "Adoption"): for each UTC day of the window (whole days ending
 * with today's), the users active that day (DAU), in the 7 days ending it (WAU) and in the 30 days
 * ending it (MAU), and stickiness = DAU ÷ MAU.
 *
 * Read from `user_day_gaps` (each active user-day counted under the day and their previous active
 * day, kept by a trigger, migration 0012): the users active in a run of days are the rows of its
 * days whose previous day is before the run, so one range of the window and the 29 days before it
 * answers every day's DAU, WAU and MAU, a few rows per day whatever the number of users. A day
 * stored after today (a client clock ahead) changes no earlier day's rows, so it cannot skew these.
 *
 * @example
 * const { days } = await adoptionSeries(db, 'demo', 30, Date.now())
 * days.at(-1) // { day: '2026-11-23', dau: 41, wau: 160, mau: 380, stickiness: 0.108 }
 */
export async function adoptionSeries(
  db: Database,
  workspaceId: string,
  windowDays: number,
  now: number,
): Promise<AdoptionSeries> {
  const end = Math.floor(now / dayMs) + 1; // exclusive: today counts
  const start = end - windowDays;
  const rows = await db.reports.all<{ day: number; previous_day: number; users: number }>(sql`
    SELECT day, previous_day, users FROM user_day_gaps
    WHERE workspace_id = ${workspaceId} AND day >= ${start - 29} AND day < ${end}`);
  const byDay = new Map<number, Array<{ previous: number; users: number }>>();
  for (const row of rows) {
    const list = byDay.get(row.day) ?? [];
    list.push({ previous: row.previous_day, users: row.users });
    byDay.set(row.day, list);
  }
  // The users active in the `length` days ending `day`: each counted on their first day of the run.
  const activeIn = (day: number, length: number) => {
    const first = day - length + 1;
    let users = 0;
    for (let d = first; d <= day; d++)
      for (const row of byDay.get(d) ?? []) if (row.previous < first) users += row.users;
    return users;
  };
  const days: AdoptionSeries['days'] = [];
  for (let day = start; day < end; day++) {
    const dau = activeIn(day, 1);
    const mau = activeIn(day, 30);
    days.push({
      day: isoDay(day),
      dau,
      wau: activeIn(day, 7),
      mau,
      stickiness: mau === 0 ? null : dau / mau,
    });
  }
  return { window: { days: windowDays, from: isoDay(start), to: isoDay(end - 1) }, days };
}
