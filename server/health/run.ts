import type { InStatement } from '@libsql/client';
import { and, eq, sql } from 'drizzle-orm';
import { nanoid } from 'nanoid';
import type { CoreFeatureService } from '../adoption/core-features.ts';
import type { Database } from '../db/client.ts';
import { healthRuns, milestones, workspaces } from '../db/schema.ts';
import { isRevisionConflict } from '../goals/catalog.ts';
import type { Logger } from '../logger.ts';
import { accountDetractors } from '../surveys/signals.ts';
import { enqueueWebhook } from '../webhooks/outbox.ts';
import { type AlertInput, alertInsert, alertPayload, evaluateAlerts, loadAlertRules } from './alerts.ts';
import { describeValue } from './explain.ts';
import { type AccountFacts, accountFacts } from './measures.ts';
import type { HealthModelStore } from './model-store.ts';
import { type HealthScore, scoreAccount, topDrivers } from './score.ts';

/**
 * The daily health run: every account's snapshot for a day, written once per day per workspace even
 * with several server instances on one database (a lease in `health_runs`), resumed where it stopped
 * after a crash (its cursor), and idempotent (a snapshot is keyed by account and day).
 */

const dayMs = 86_400_000;
/** Accounts written per transaction: short transactions keep ingestion flowing during a run. */
const pageSize = 250;
/** A run not heard from for this long is presumed dead and may be taken over. */
const leaseMs = 60_000;

export interface HealthDeps {
  db: Database;
  clock: () => number;
  logger: Logger;
  models: HealthModelStore;
  features: CoreFeatureService;
  /** Names this instance in leases. */
  instanceId?: string;
  /** Called after a run queued webhook deliveries (alerts), so they go out now rather than at the next poll. */
  deliveriesQueued?: () => void;
}

/** `YYYY-MM-DD` (UTC) of a time. */
export const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
/** The end of a UTC day (the start of the next one): a day's snapshot is computed as of then. */
export const endOfDay = (day: string): number => Date.parse(`${day}T00:00:00Z`) + dayMs;
const shiftDay = (day: string, days: number): string => dayOf(Date.parse(`${day}T00:00:00Z`) + days * dayMs);

/** What one account's snapshot holds besides its score: the facts a CS person reads beside it. */
export interface SnapshotDetail {
  exact: number | null;
  cappedBy: string | null;
  groups: HealthScore['groups'];
  measures: Array<Omit<HealthScore['measures'][number], 'raw'> & { raw: number | string | null }>;
  facts: Omit<AccountFacts, 'raw' | 'accountId' | 'name' | 'profile' | 'stage' | 'segment'> & {
    advocacy: Advocacy;
  };
}
export type Advocacy = 'champion' | 'happy' | 'satisfied' | null;

/** Scores every account of a workspace as of `at` with its current model. */
export async function scoreWorkspace(deps: HealthDeps, workspaceId: string, at: number) {
  const [current, coreFeatures, milestoneRows] = await Promise.all([
    deps.models.current(workspaceId),
    deps.features.list(workspaceId),
    deps.db.read
      .select({ id: milestones.id, isValue: milestones.isValue })
      .from(milestones)
      .where(eq(milestones.workspaceId, workspaceId)),
  ]);
  const facts = await accountFacts(
    deps.db,
    workspaceId,
    {
      model: current.model,
      coreFeatures,
      milestones: milestoneRows,
    },
    at,
  );
  const scored = facts.map((f) => ({ facts: f, result: scoreAccount(current.model, f.raw, f.profile) }));
  // Sorted here, and compared here, in one collation: the resume cursor depends on it.
  scored.sort((a, b) =>
    a.facts.accountId < b.facts.accountId ? -1 : a.facts.accountId > b.facts.accountId ? 1 : 0,
  );
  return { modelVersion: current.version, model: current.model, scored };
}

/** Advocacy from NPS (README): 9-10 happy, 10 with green health a champion, 7-8 satisfied. */
function advocacyOf(best: number | null, band: HealthScore['band']): Advocacy {
  if (best === null) return null;
  if (best === 10 && band === 'green') return 'champion';
  if (best >= 9) return 'happy';
  if (best >= 7) return 'satisfied';
  return null;
}

/** What a snapshot stores to explain itself: every measure, group and fact. */
export function snapshotDetail(facts: AccountFacts, result: HealthScore): SnapshotDetail {
  const { raw: _raw, accountId: _id, name: _name, profile: _p, stage: _s, segment: _g, ...rest } = facts;
  return {
    exact: result.exact,
    cappedBy: result.cappedBy,
    groups: result.groups,
    // JSON has no Infinity: a value milestone never reached is written as "never".
    measures: result.measures.map((m) => ({
      ...m,
      raw: m.raw === Number.POSITIVE_INFINITY ? 'never' : m.raw,
    })),
    facts: { ...rest, advocacy: advocacyOf(facts.bestNpsScore, result.band) },
  };
}

/** The top drivers in words ("Usage: 4 of 12 seats active"), worst first. */
export function driversOf(detail: SnapshotDetail, labels: ReadonlyMap<string, string>, limit = 3) {
  return detail.measures
    .filter((m) => m.impact > 0)
    .sort((a, b) => b.impact - a.impact)
    .slice(0, limit)
    .map((m) => ({
      measure: m.measure,
      group: m.group,
      impact: m.impact,
      score: m.score,
      text: `${labels.get(m.group) ?? m.group}: ${describeValue(m.measure, m.raw, detail.facts)}`,
    }));
}

/** The statements that write one account's snapshot of `day` and, when it is its newest, its current row. */
function snapshotWrites(
  workspaceId: string,
  day: string,
  modelVersion: number,
  facts: AccountFacts,
  result: HealthScore,
  now: number,
): InStatement[] {
  const { accountId, profile, stage, segment } = facts;
  const detail = snapshotDetail(facts, result);
  const driver = topDrivers(result, 1)[0]?.measure ?? null;
  const scoreThen = (days: number) =>
    `(SELECT score FROM account_health WHERE workspace_id = ?1 AND account_id = ?2 AND day = '${shiftDay(day, -days)}')`;
  return [
    {
      sql: `INSERT INTO account_health (workspace_id, account_id, day, model_version, score, band, coverage,
          profile, stage, segment, detail, computed_at)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
        ON CONFLICT (workspace_id, account_id, day) DO UPDATE SET model_version = excluded.model_version,
          score = excluded.score, band = excluded.band, coverage = excluded.coverage, profile = excluded.profile,
          stage = excluded.stage, segment = excluded.segment, detail = excluded.detail, computed_at = excluded.computed_at`,
      args: [
        workspaceId,
        accountId,
        day,
        modelVersion,
        result.score,
        result.band,
        result.coverage,
        profile,
        stage,
        segment,
        JSON.stringify(detail),
        now,
      ],
    },
    {
      sql: `INSERT INTO account_health_current (workspace_id, account_id, day, model_version, score, band, coverage,
          trend7, trend30, stage, segment, arr, renewal_date, top_driver, computed_at)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?5 - ${scoreThen(7)}, ?5 - ${scoreThen(30)}, ?8, ?9, ?10, ?11, ?12, ?13)
        ON CONFLICT (workspace_id, account_id) DO UPDATE SET day = excluded.day, model_version = excluded.model_version,
          score = excluded.score, band = excluded.band, coverage = excluded.coverage, trend7 = excluded.trend7,
          trend30 = excluded.trend30, stage = excluded.stage, segment = excluded.segment, arr = excluded.arr,
          renewal_date = excluded.renewal_date, top_driver = excluded.top_driver, computed_at = excluded.computed_at
        WHERE excluded.day >= account_health_current.day`,
      args: [
        workspaceId,
        accountId,
        day,
        modelVersion,
        result.score,
        result.band,
        result.coverage,
        stage,
        segment,
        facts.arr,
        facts.renewalDate,
        driver,
        now,
      ],
    },
  ];
}

/** Fails the transaction (through revision_guard's CHECK) unless this instance still holds the run's lease. */
function leaseGuard(workspaceId: string, day: string, owner: string): InStatement {
  return {
    sql: `INSERT INTO revision_guard (id, ok)
      VALUES (1, EXISTS (SELECT 1 FROM health_runs WHERE workspace_id = ? AND day = ? AND lease_owner = ?))
      ON CONFLICT (id) DO NOTHING`,
    args: [workspaceId, day, owner],
  };
}

/** Per account, the newest snapshot before `day` and the one `days` before it: what alerts compare with. */
async function snapshotsBefore(
  db: Database,
  workspaceId: string,
  day: string,
  days: number,
  accountIds: string[],
) {
  const ids = sql.join(
    accountIds.map((id) => sql`${id}`),
    sql`, `,
  );
  const [previous, earlier] = await Promise.all([
    db.reports.all<{ account_id: string; score: number | null; band: string }>(sql`
      SELECT h.account_id, h.score, h.band FROM account_health h
      WHERE h.workspace_id = ${workspaceId} AND h.account_id IN (${ids})
        AND h.day = (SELECT max(day) FROM account_health p
          WHERE p.workspace_id = h.workspace_id AND p.account_id = h.account_id AND p.day < ${day})`),
    db.reports.all<{ account_id: string; score: number | null }>(sql`
      SELECT account_id, score FROM account_health
      WHERE workspace_id = ${workspaceId} AND account_id IN (${ids}) AND day = ${shiftDay(day, -days)}`),
  ]);
  return {
    previous: new Map(previous.map((r) => [r.account_id, { score: r.score, band: r.band }])),
    earlier: new Map(earlier.map((r) => [r.account_id, { score: r.score }])),
  };
}

export type RunOutcome = 'done' | 'already done' | 'running elsewhere' | 'lease lost';

/**
 * Runs (or resumes) a workspace's health run for `day`, as of the end of that day (or now, for
 * today). Returns without work when the day is done or another live instance holds it.
 */
export async function runHealthDay(deps: HealthDeps, workspaceId: string, day: string): Promise<RunOutcome> {
  const owner = deps.instanceId ?? `instance-${nanoid(8)}`;
  const now = deps.clock();
  const [claim] = await deps.db.writer.batch([
    {
      sql: `INSERT INTO health_runs (workspace_id, day, status, lease_owner, lease_until, started_at)
        VALUES (?, ?, 'running', ?, ?, ?)
        ON CONFLICT (workspace_id, day) DO UPDATE SET lease_owner = excluded.lease_owner,
          lease_until = excluded.lease_until
        WHERE health_runs.status = 'running' AND health_runs.lease_until < ?
        RETURNING status, cursor`,
      args: [workspaceId, day, owner, now + leaseMs, now, now],
    },
  ]);
  const row = claim!.rows[0];
  if (!row) {
    const [state] = await deps.db.read
      .select({ status: healthRuns.status })
      .from(healthRuns)
      .where(and(eq(healthRuns.workspaceId, workspaceId), eq(healthRuns.day, day)));
    return state?.status === 'done' ? 'already done' : 'running elsewhere';
  }
  const cursor = row.cursor === null ? null : String(row.cursor);
  const at = Math.min(endOfDay(day), now);
  const [{ modelVersion, model, scored }, rules] = await Promise.all([
    scoreWorkspace(deps, workspaceId, at),
    loadAlertRules(deps.db, workspaceId),
  ]);
  const labels = new Map(model.groups.map((g) => [g.key, g.label]));
  const todo = cursor === null ? scored : scored.filter((s) => s.facts.accountId > cursor);
  const detractors = await accountDetractors(deps.db, workspaceId, {
    from: endOfDay(day) - dayMs,
    to: endOfDay(day),
  });
  let queued = false;
  try {
    for (let i = 0; i < todo.length; i += pageSize) {
      const page = todo.slice(i, i + pageSize);
      const written = deps.clock();
      const before = await snapshotsBefore(
        deps.db,
        workspaceId,
        day,
        rules.scoreDrop.days,
        page.map((s) => s.facts.accountId),
      );
      const fired = page.flatMap((s) => {
        const input: AlertInput = {
          name: s.facts.name,
          day,
          facts: s.facts,
          result: s.result,
          previous: before.previous.get(s.facts.accountId) ?? null,
          earlier: before.earlier.get(s.facts.accountId) ?? null,
          detractors: detractors.get(s.facts.accountId) ?? null,
          drivers: driversOf(snapshotDetail(s.facts, s.result), labels),
        };
        return evaluateAlerts(rules, input).flatMap((f) => {
          const { id, statement } = alertInsert(workspaceId, rules, input, f, written);
          const tx = [statement];
          // Queued only when the alert row was written (not within its cooldown), in the same transaction.
          enqueueWebhook(tx, workspaceId, 'alert.created', alertPayload(id, f, input), written, {
            sql: 'EXISTS (SELECT 1 FROM alerts WHERE workspace_id = ? AND id = ?)',
            args: [workspaceId, id],
          });
          queued = true;
          return tx;
        });
      });
      await deps.db.writer.batch([
        leaseGuard(workspaceId, day, owner),
        ...page.flatMap((s) => snapshotWrites(workspaceId, day, modelVersion, s.facts, s.result, written)),
        ...fired,
        {
          sql: `UPDATE health_runs SET cursor = ?, accounts = accounts + ?, lease_until = ?
            WHERE workspace_id = ? AND day = ? AND lease_owner = ?`,
          args: [page.at(-1)!.facts.accountId, page.length, written + leaseMs, workspaceId, day, owner],
        },
      ]);
    }
    await deps.db.writer.batch([
      leaseGuard(workspaceId, day, owner),
      {
        sql: `UPDATE health_runs SET status = 'done', finished_at = ?, lease_owner = NULL, lease_until = NULL
          WHERE workspace_id = ? AND day = ? AND lease_owner = ?`,
        args: [deps.clock(), workspaceId, day, owner],
      },
    ]);
  } catch (error) {
    if (isRevisionConflict(error)) {
      deps.logger.info(`health run ${workspaceId} ${day}: lease lost to another instance, stopping`);
      return 'lease lost';
    }
    throw error;
  } finally {
    if (queued) deps.deliveriesQueued?.();
  }
  return 'done';
}

/**
 * Recomputes snapshots now, outside the daily schedule: today's snapshot of one account, or of all.
 * It becomes the account's current row; the daily run replaces it with the end-of-day value.
 */
export async function recompute(deps: HealthDeps, workspaceId: string, accountId?: string) {
  const now = deps.clock();
  const day = dayOf(now);
  const { modelVersion, scored } = await scoreWorkspace(deps, workspaceId, now);
  const chosen = accountId === undefined ? scored : scored.filter((s) => s.facts.accountId === accountId);
  for (let i = 0; i < chosen.length; i += pageSize) {
    await deps.db.writer.batch(
      chosen
        .slice(i, i + pageSize)
        .flatMap((s) => snapshotWrites(workspaceId, day, modelVersion, s.facts, s.result, now)),
    );
  }
  return { day, accounts: chosen.length };
}

/**
 * Writes the snapshots of every day from `from` to `to` (inclusive, oldest first, so each day's trend
 * reads the days before it) from stored events, as the daily run would have. Days already done are
 * computed again (a backfill is how a changed model reaches history).
 */
export async function backfill(deps: HealthDeps, workspaceId: string, from: string, to: string) {
  let days = 0;
  for (let day = from; day <= to; day = shiftDay(day, 1)) {
    const at = Math.min(endOfDay(day), deps.clock());
    const { modelVersion, scored } = await scoreWorkspace(deps, workspaceId, at);
    for (let i = 0; i < scored.length; i += pageSize) {
      await deps.db.writer.batch(
        scored
          .slice(i, i + pageSize)
          .flatMap((s) => snapshotWrites(workspaceId, day, modelVersion, s.facts, s.result, deps.clock())),
      );
    }
    days++;
  }
  return { days };
}

/**
 * Runs each workspace's health for the day that just ended, inside the server (no external
 * scheduler). Every instance ticks; the lease lets one of them do each day's work.
 */
export class HealthScheduler {
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;

  constructor(
    private readonly deps: HealthDeps,
    private readonly everyMs = 60_000,
  ) {}

  start(): void {
    this.#timer = setInterval(() => void this.tick(), this.everyMs);
    this.#timer.unref();
    void this.tick();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  /** One pass: yesterday's run for every workspace that has not had it. */
  tick(): Promise<void> {
    this.#running ??= this.#pass().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #pass(): Promise<void> {
    const day = dayOf(this.deps.clock() - dayMs);
    const rows = await this.deps.db.read.select({ id: workspaces.id }).from(workspaces);
    for (const { id } of rows) {
      try {
        await runHealthDay(this.deps, id, day);
      } catch (error) {
        this.deps.logger.error(`health run ${id} ${day} failed: ${String(error)}`);
      }
    }
  }
}
