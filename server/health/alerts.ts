import type { InStatement } from '@libsql/client';
import { and, desc, eq, lt, or } from 'drizzle-orm';
import { nanoid } from 'nanoid';
import {
  type AlertRule,
  type AlertRules,
  alertRules,
  defaultAlertRules,
} from '../../shared/schemas/alert-rules.ts';
import type { Database } from '../db/client.ts';
import { alertSettings, alerts } from '../db/schema.ts';
import type { WebhookPayload } from '../webhooks/outbox.ts';
import type { AccountFacts } from './measures.ts';
import type { HealthScore } from './score.ts';

/**
 * Playbook alerts: after the daily run scores an account, each enabled rule is checked against the
 * snapshot before; what fires lands in the alert inbox in the same transaction as the snapshot
 * (and, from there, goes to the workspace's webhooks), at most once per account, rule and cooldown.
 */

const dayMs = 86_400_000;

export async function loadAlertRules(db: Database, workspaceId: string): Promise<AlertRules> {
  const [row] = await db.read.select().from(alertSettings).where(eq(alertSettings.workspaceId, workspaceId));
  // Stored rules were validated when saved; rules added since take their defaults.
  if (!row) return defaultAlertRules;
  const stored = row.rules as Partial<Record<AlertRule, object>>;
  return alertRules.parse(
    Object.fromEntries(
      Object.entries(defaultAlertRules).map(([rule, d]) => [rule, { ...d, ...stored[rule as AlertRule] }]),
    ),
  );
}

/** Saves a workspace's alert rules (all of them: `applyAlertRulesPatch` merges a partial change first). */
export async function storeAlertRules(db: Database, workspaceId: string, rules: AlertRules, now: number) {
  await db.writer.batch([saveAlertRules(workspaceId, rules, now)]);
}

export function saveAlertRules(workspaceId: string, rules: AlertRules, now: number): InStatement {
  return {
    sql: `INSERT INTO alert_settings (workspace_id, rules, updated_at) VALUES (?, ?, ?)
      ON CONFLICT (workspace_id) DO UPDATE SET rules = excluded.rules, updated_at = excluded.updated_at`,
    args: [workspaceId, JSON.stringify(rules), now],
  };
}

/** What a rule is checked against: the account now and its snapshots before. */
export interface AlertInput {
  name: string;
  day: string;
  facts: AccountFacts;
  result: HealthScore;
  /** The account's newest snapshot before this day. */
  previous: { score: number | null; band: string } | null;
  /** Its snapshot of the scoreDrop rule's `days` before. */
  earlier: { score: number | null } | null;
  /** Its members' detractor answers (0-6) that day: how many, and the lowest score. */
  detractors: { count: number; lowest: number } | null;
  drivers: Array<{ measure: string; impact: number; text: string }>;
}

export interface Fired {
  rule: AlertRule;
  text: string;
}

const bandRank: Record<string, number> = { red: 0, yellow: 1, green: 2 };

/**
 * The rules an account meets today, each with its sentence.
 *
 * @example
 * evaluateAlerts(rules, { name: 'Acme', previous: { score: 62, band: 'yellow' }, result: { score: 45, band: 'red' }, ... })
 * // [{ rule: 'bandDowngrade', text: 'Acme turned red (was yellow): score 45, was 62. Usage: 4 of 10 seats active' }]
 */
export function evaluateAlerts(rules: AlertRules, input: AlertInput): Fired[] {
  const { name, result, previous, facts } = input;
  const fired: Fired[] = [];
  const why = input.drivers[0] ? `. ${input.drivers[0].text}` : '';
  const now = result.band;
  if (
    rules.bandDowngrade.enabled &&
    previous &&
    now in bandRank &&
    previous.band in bandRank &&
    bandRank[now]! < bandRank[previous.band]!
  ) {
    fired.push({
      rule: 'bandDowngrade',
      text: `${name} turned ${now} (was ${previous.band}): score ${result.score ?? 'n/a'}, was ${previous.score ?? 'n/a'}${why}`,
    });
  }
  const drop = rules.scoreDrop;
  if (
    drop.enabled &&
    result.score !== null &&
    input.earlier?.score != null &&
    input.earlier.score - result.score >= drop.points
  ) {
    fired.push({
      rule: 'scoreDrop',
      text: `${name} dropped ${input.earlier.score - result.score} points in ${drop.days} days (${input.earlier.score} to ${result.score})${why}`,
    });
  }
  if (rules.detractor.enabled && input.detractors && input.detractors.count > 0) {
    const { count, lowest } = input.detractors;
    fired.push({
      rule: 'detractor',
      text: `${name}: ${count} detractor answer${count === 1 ? '' : 's'} to NPS (lowest ${lowest})`,
    });
  }
  const payment = facts.raw.paymentStatus;
  if (rules.paymentPastDue.enabled && (payment === 'past_due' || payment === 'failed')) {
    fired.push({
      rule: 'paymentPastDue',
      text: `${name}: payment ${payment === 'failed' ? 'failed' : 'past due'}`,
    });
  }
  const renewal = rules.renewalAtRisk;
  if (renewal.enabled && facts.renewalDate && now !== 'green') {
    const renewsAt = Date.parse(facts.renewalDate);
    const daysLeft = Math.ceil((renewsAt - Date.parse(`${input.day}T00:00:00Z`)) / dayMs);
    if (Number.isFinite(daysLeft) && daysLeft >= 0 && daysLeft <= renewal.withinDays) {
      fired.push({
        rule: 'renewalAtRisk',
        text: `${name} renews on ${facts.renewalDate.slice(0, 10)} (in ${daysLeft} days) and is ${now === 'insufficient' ? 'without enough data to score' : now}${why}`,
      });
    }
  }
  const adoption = rules.lowAdoption;
  const breadth = facts.raw.adoptionBreadth;
  if (
    adoption.enabled &&
    typeof breadth === 'number' &&
    facts.ageDays >= adoption.afterDays &&
    breadth < adoption.below
  ) {
    fired.push({
      rule: 'lowAdoption',
      text: `${name} uses ${facts.featuresUsed.length} core feature${facts.featuresUsed.length === 1 ? '' : 's'} (${Math.round(breadth * 100)}%) after ${Math.floor(facts.ageDays)} days`,
    });
  }
  return fired;
}

/**
 * The webhook of a fired rule (`alert.created`): the alert, the account, the score and band before
 * and after, and the drivers; its `text` is the alert's sentence, so a Slack incoming webhook shows it.
 */
export function alertPayload(id: string, fired: Fired, input: AlertInput): WebhookPayload {
  return {
    data: {
      alert: {
        id,
        rule: fired.rule,
        day: input.day,
        accountId: input.facts.accountId,
        accountName: input.name,
        score: input.result.score,
        previousScore: input.previous?.score ?? null,
        band: input.result.band,
        previousBand: input.previous?.band ?? null,
        drivers: input.drivers,
      },
    },
    text: fired.text,
  };
}

/**
 * The statement that records one fired rule, unless the same rule fired for the account within its
 * cooldown (or already this day: a re-run). Returns the new alert's id when it was written.
 */
export function alertInsert(
  workspaceId: string,
  rules: AlertRules,
  input: AlertInput,
  fired: Fired,
  now: number,
): { id: string; statement: InStatement } {
  const id = `al_${nanoid(14)}`;
  const cooldownFrom = new Date(Date.parse(`${input.day}T00:00:00Z`) - rules[fired.rule].cooldownDays * dayMs)
    .toISOString()
    .slice(0, 10);
  return {
    id,
    statement: {
      sql: `INSERT INTO alerts (workspace_id, id, account_id, rule, day, fired_at, score, previous_score, band,
          previous_band, drivers, text)
        SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12
        WHERE NOT EXISTS (SELECT 1 FROM alerts WHERE workspace_id = ?1 AND account_id = ?3 AND rule = ?4
          AND day > ?13 AND day <= ?5)
        ON CONFLICT (workspace_id, account_id, rule, day) DO NOTHING`,
      args: [
        workspaceId,
        id,
        input.facts.accountId,
        fired.rule,
        input.day,
        now,
        input.result.score,
        input.previous?.score ?? null,
        input.result.band,
        input.previous?.band ?? null,
        JSON.stringify(input.drivers),
        fired.text,
        cooldownFrom,
      ],
    },
  };
}

/** The inbox, newest first, with a cursor (`<firedAt>.<id>` of the last alert of the previous page). */
export async function listAlerts(
  db: Database,
  workspaceId: string,
  query: {
    accountId?: string | undefined;
    rule?: string | undefined;
    before?: [number, string] | undefined;
    limit: number;
  },
) {
  const rows = await db.reports
    .select()
    .from(alerts)
    .where(
      and(
        eq(alerts.workspaceId, workspaceId),
        query.accountId === undefined ? undefined : eq(alerts.accountId, query.accountId),
        query.rule === undefined ? undefined : eq(alerts.rule, query.rule),
        query.before === undefined
          ? undefined
          : or(
              lt(alerts.firedAt, query.before[0]),
              and(eq(alerts.firedAt, query.before[0]), lt(alerts.id, query.before[1])),
            ),
      ),
    )
    .orderBy(desc(alerts.firedAt), desc(alerts.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    alerts: page.map(({ workspaceId: _ws, ...alert }) => ({
      ...alert,
      firedAt: new Date(alert.firedAt).toISOString(),
    })),
    next: rows.length > query.limit && last ? `${last.firedAt}.${last.id}` : null,
  };
}
