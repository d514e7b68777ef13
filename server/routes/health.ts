import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { errorCodes } from '../../shared/problem.ts';
import {
  alertRuleNames,
  alertRules,
  alertRulesPatch,
  applyAlertRulesPatch,
} from '../../shared/schemas/alert-rules.ts';
import { coreFeature, coreFeatureInput } from '../../shared/schemas/core-feature.ts';
import { defaultHealthModel, healthModel, type MeasureId } from '../../shared/schemas/health-model.ts';
import {
  accountHealthDetail,
  alertPage,
  backfillResult,
  healthDistribution,
  healthModelVersion,
  portfolioPage,
  recomputeResult,
} from '../../shared/schemas/health-report.ts';
import { adoptionReportAnswer } from '../../shared/schemas/reports.ts';
import { adoptionQuery, adoptionReport } from '../adoption/report.ts';
import type { AppDeps } from '../app.ts';
import { listAlerts, loadAlertRules, storeAlertRules } from '../health/alerts.ts';
import { describeChange } from '../health/explain.ts';
import { lifecycleStages } from '../health/measures.ts';
import {
  accountTraits,
  bandTotals,
  healthHistory,
  movers,
  portfolioCsv,
  portfolioOf,
} from '../health/portfolio.ts';
import { backfill, dayOf, driversOf, recompute, type SnapshotDetail } from '../health/run.ts';
import { ApiError } from '../http/api-error.ts';
import { jsonBody, parse } from '../http/parse.ts';
import { adminSecurity, answers, body, bodyReadByHandler, noContent, routes } from '../http/routes.ts';
import { idParams, workspaceOf } from './versioned.ts';

const dayMs = 86_400_000;
const isoDay = z.iso.date({ error: 'must be a date, YYYY-MM-DD' });

export const portfolioQuery = z.object({
  band: z.enum(['red', 'yellow', 'green', 'insufficient']).optional(),
  segment: z.enum(['enterprise', 'midMarket', 'smb']).optional(),
  stage: z.enum(lifecycleStages).optional(),
  /** Accounts whose id starts with this text. */
  search: z.string().trim().min(1).max(200).optional(),
  /** A column, `-` first for descending: `score`, `-trend7`, `arr`, `renewalDate`, ... */
  sort: z
    .string()
    .regex(
      /^-?(score|trend7|trend30|arr|renewalDate|accountId)$/,
      'must be one of score, trend7, trend30, arr, renewalDate, accountId, with - for descending',
    )
    .default('score'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

/** The portfolio's CSV export: the same filters and order, every matching account. */
export const portfolioExportQuery = portfolioQuery.omit({ limit: true, offset: true });

export const alertQuery = z.object({
  accountId: z.string().min(1).max(200).optional(),
  rule: z.enum(alertRuleNames).optional(),
  /** Cursor: the `next` of the previous page. */
  before: z
    .string()
    .regex(/^\d{1,15}\.al_[\w-]+$/, 'must be the `next` cursor of a previous page')
    .transform((cursor) => {
      const dot = cursor.indexOf('.');
      return [Number(cursor.slice(0, dot)), cursor.slice(dot + 1)] as [number, string];
    })
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** Recompute one account (by id) or, without one, every account. */
export const recomputeBody = z.strictObject({ accountId: z.string().min(1).max(200).optional() });

export const backfillBody = z
  .strictObject({ from: isoDay, to: isoDay })
  .refine((b) => b.from <= b.to, { path: ['to'], message: 'must not be before from' })
  .refine((b) => Date.parse(b.to) - Date.parse(b.from) <= 400 * dayMs, {
    path: ['from'],
    message: 'a backfill covers at most 400 days',
  });

const security = adminSecurity;
const coreFeatureExample = {
  key: 'invoicing',
  name: 'Invoicing',
  events: [{ event: 'Invoice Sent', where: [{ property: 'amount', op: 'gt' as const, value: 0 }] }],
};
const route = {
  getModel: createRoute({
    method: 'get',
    path: '/health/model',
    summary: 'The health model in force and its version (0: the shipped default)',
    security,
    responses: answers(healthModelVersion),
  }),
  putModel: createRoute({
    method: 'put',
    path: '/health/model',
    summary:
      'Save a new version of the health model (validated: weights, thresholds in order, known measures)',
    security,
    request: { body: body(healthModel, defaultHealthModel) },
    responses: answers(healthModelVersion),
  }),
  modelVersions: createRoute({
    method: 'get',
    path: '/health/model/versions',
    summary: 'Every saved version of the health model, newest first',
    security,
    responses: answers(z.object({ versions: z.array(healthModelVersion) })),
  }),
  listFeatures: createRoute({
    method: 'get',
    path: '/core-features',
    summary: 'List core features',
    security,
    responses: answers(z.object({ coreFeatures: z.array(coreFeature) })),
  }),
  createFeature: createRoute({
    method: 'post',
    path: '/core-features',
    summary: 'Name a core feature by the events that prove use (at most 10)',
    security,
    request: { body: body(coreFeatureInput, coreFeatureExample) },
    responses: answers(coreFeature, 'Created', 201),
  }),
  getFeature: createRoute({
    method: 'get',
    path: '/core-features/{id}',
    summary: 'Get a core feature',
    security,
    request: { params: idParams },
    responses: answers(coreFeature),
  }),
  replaceFeature: createRoute({
    method: 'put',
    path: '/core-features/{id}',
    summary: 'Replace a core feature',
    security,
    request: { params: idParams, body: body(coreFeatureInput, coreFeatureExample) },
    responses: answers(coreFeature),
  }),
  deleteFeature: createRoute({
    method: 'delete',
    path: '/core-features/{id}',
    summary: 'Delete a core feature',
    security,
    request: { params: idParams },
    responses: noContent(),
  }),
  portfolio: createRoute({
    method: 'get',
    path: '/health/accounts',
    summary:
      'Portfolio: every account with score, band, trend (7 and 30 days), coverage, ARR, renewal, stage, segment, top driver; filtered, sorted and paged on the server',
    security,
    request: { query: portfolioQuery },
    responses: answers(portfolioPage),
  }),
  portfolioCsv: createRoute({
    method: 'get',
    path: '/health/accounts.csv',
    summary:
      'The portfolio as CSV (RFC 4180, formula-safe), as an attachment: every account matching the filters, in the same order',
    security,
    request: { query: portfolioExportQuery },
    responses: {
      ...answers(z.string()),
      200: { description: 'CSV', content: { 'text/csv': { schema: z.string() } } },
    },
  }),
  account: createRoute({
    method: 'get',
    path: '/health/accounts/{id}',
    summary:
      "One account's health: score, groups, measures with raw values, drivers in words, change against 7 and 30 days before, 18 weeks of history",
    security,
    request: { params: idParams },
    responses: answers(accountHealthDetail),
  }),
  distribution: createRoute({
    method: 'get',
    path: '/health/distribution',
    summary: "Accounts and ARR per band, and the week's biggest movers",
    security,
    responses: answers(healthDistribution),
  }),
  adoption: createRoute({
    method: 'get',
    path: '/reports/adoption',
    summary:
      'Adoption over a window: DAU, WAU, MAU, stickiness, active days per active user, frequency bands; per core feature its users, accounts, adoption rate and depth; breadth',
    security,
    request: { query: adoptionQuery },
    responses: answers(adoptionReportAnswer),
  }),
  getRules: createRoute({
    method: 'get',
    path: '/alerts/rules',
    summary: 'The alert rules, their thresholds and cooldowns',
    security,
    responses: answers(alertRules),
  }),
  patchRules: createRoute({
    method: 'patch',
    path: '/alerts/rules',
    summary: 'Change some fields of some rules (the others keep their values)',
    security,
    request: { body: body(alertRulesPatch, { scoreDrop: { points: 15 }, lowAdoption: { enabled: false } }) },
    responses: answers(alertRules),
  }),
  alerts: createRoute({
    method: 'get',
    path: '/alerts',
    summary: 'The alert inbox: rules that fired, newest first, with before/after, drivers and a cursor',
    security,
    request: { query: alertQuery },
    responses: answers(alertPage),
  }),
  recompute: createRoute({
    method: 'post',
    path: '/health/recompute',
    summary: "Recompute today's snapshot now, for one account or all",
    security,
    request: { body: body(recomputeBody, {}) },
    responses: answers(recomputeResult),
  }),
  backfill: createRoute({
    method: 'post',
    path: '/health/backfill',
    summary: 'Write the daily snapshots of a date range from stored events (at most 400 days)',
    security,
    request: { body: body(backfillBody, { from: '2026-11-01', to: '2026-11-07' }) },
    responses: answers(backfillResult),
  }),
};

/**
 * Admin API for account health and adoption (mounted under /v1/admin): the model, core features, the
 * portfolio, one account's score with history and reasons, distribution and movers, recompute and
 * backfill. The README ("Account health") documents the model and its formulas.
 */
export function healthRoutes(deps: AppDeps) {
  const app = routes();
  const ws = workspaceOf;
  const { db } = deps;

  return (
    app
      .openapi(route.getModel, async (c) => c.json(await deps.health.models.current(ws(c)), 200))
      .openapi(bodyReadByHandler(app, route.putModel), async (c) => {
        const model = parse(healthModel, await jsonBody(c.req.raw));
        return c.json(await deps.health.models.save(ws(c), model), 200);
      })
      .openapi(route.modelVersions, async (c) =>
        c.json({ versions: await deps.health.models.list(ws(c)) }, 200),
      )
      .openapi(route.listFeatures, async (c) =>
        c.json({ coreFeatures: await deps.health.features.list(ws(c)) }, 200),
      )
      .openapi(bodyReadByHandler(app, route.createFeature), async (c) => {
        const input = parse(coreFeatureInput, await jsonBody(c.req.raw));
        return c.json(await deps.health.features.create(ws(c), input), 201);
      })
      .openapi(route.getFeature, async (c) =>
        c.json(await deps.health.features.get(ws(c), c.req.param('id')), 200),
      )
      .openapi(bodyReadByHandler(app, route.replaceFeature), async (c) => {
        const input = parse(coreFeatureInput, await jsonBody(c.req.raw));
        return c.json(await deps.health.features.replace(ws(c), c.req.param('id'), input), 200);
      })
      .openapi(route.deleteFeature, async (c) => {
        await deps.health.features.delete(ws(c), c.req.param('id'));
        return c.body(null, 204);
      })
      // The portfolio: every account's newest snapshot, filtered, sorted and paged on the server.
      .openapi(route.portfolio, async (c) => {
        const q = c.req.valid('query');
        const portfolio = portfolioOf(db, ws(c), q);
        const [rows, total] = await Promise.all([portfolio.page(q.limit, q.offset), portfolio.count()]);
        const next = q.offset + rows.length < total ? q.offset + rows.length : null;
        return c.json({ accounts: rows, total, next }, 200);
      })
      .openapi(route.portfolioCsv, async (c) => {
        const portfolio = portfolioOf(db, ws(c), c.req.valid('query'));
        const filename = `portfolio-${dayOf(deps.clock())}.csv`;
        return c.body(portfolioCsv(portfolio), 200, {
          'Content-Type': 'text/csv; charset=utf-8',
          'Content-Disposition': `attachment; filename="${filename}"`,
          'Cache-Control': 'no-store',
        });
      })
      // One account: its newest snapshot explained, its history, and what moved it against 7 and 30 days before.
      .openapi(route.account, async (c) => {
        const accountId = c.req.param('id');
        const history = await healthHistory(db, ws(c), accountId, dayOf(deps.clock() - 126 * dayMs));
        const latest = history.at(-1);
        if (!latest) {
          throw new ApiError(
            404,
            errorCodes.notFound,
            'No health score yet',
            'This account has no health snapshot: it is computed daily, or now with POST /v1/admin/health/recompute.',
          );
        }
        const model = (await deps.health.models.version(ws(c), latest.modelVersion))?.model;
        const labels = new Map(model?.groups.map((g) => [g.key, g.label]) ?? []);
        const detail = latest.detail as SnapshotDetail;
        const byDay = new Map(history.map((h) => [h.day, h]));
        const against = (days: number) => {
          const then = byDay.get(dayOf(Date.parse(`${latest.day}T00:00:00Z`) - days * dayMs));
          if (!then) return null;
          const before = then.detail as SnapshotDetail;
          const old = new Map(before.measures.map((m) => [m.measure, m]));
          const changes = detail.measures
            .flatMap((m) => {
              const o = old.get(m.measure);
              if (m.score === null || !o || o.score === null || m.score === o.score) return [];
              const points = m.weight * (m.score - o.score);
              const label = labels.get(m.group) ?? m.group;
              const text = describeChange(
                m.measure as MeasureId,
                label,
                points,
                m.raw,
                o.raw,
                detail.facts,
                before.facts,
              );
              return [{ measure: m.measure, points, text }];
            })
            .sort((a, b) => Math.abs(b.points) - Math.abs(a.points));
          return {
            day: then.day,
            score: then.score,
            band: then.band,
            change: latest.score !== null && then.score !== null ? latest.score - then.score : null,
            changes,
          };
        };
        const drivers = driversOf(detail, labels);
        const account = await accountTraits(db, ws(c), accountId);
        return c.json(
          {
            accountId,
            traits: account?.traits ?? {},
            day: latest.day,
            score: latest.score,
            band: latest.band,
            coverage: latest.coverage,
            profile: latest.profile,
            stage: latest.stage,
            segment: latest.segment,
            modelVersion: latest.modelVersion,
            cappedBy: detail.cappedBy,
            groups: detail.groups,
            measures: detail.measures,
            facts: detail.facts,
            drivers,
            against7: against(7),
            against30: against(30),
            history: history.map((h) => ({ day: h.day, score: h.score, band: h.band })),
          },
          200,
        );
      })
      // Accounts and ARR per band, and the biggest movers of the week.
      .openapi(route.distribution, async (c) => {
        const [bands, falling, rising] = await Promise.all([
          bandTotals(db, ws(c)),
          movers(db, ws(c), 'falling'),
          movers(db, ws(c), 'rising'),
        ]);
        const per = new Map(bands.map((b) => [b.band, b]));
        return c.json(
          {
            bands: (['green', 'yellow', 'red', 'insufficient'] as const).map((band) => ({
              band,
              accounts: per.get(band)?.accounts ?? 0,
              arr: per.get(band)?.arr ?? 0,
            })),
            movers: { falling, rising },
          },
          200,
        );
      })
      .openapi(route.adoption, async (c) => {
        const query = c.req.valid('query');
        return c.json(await adoptionReport(db, deps.health.features, ws(c), query, deps.clock()), 200);
      })
      .openapi(route.getRules, async (c) => c.json(await loadAlertRules(db, ws(c)), 200))
      // A partial change: each rule keeps the fields the body does not name.
      .openapi(bodyReadByHandler(app, route.patchRules), async (c) => {
        const patch = parse(alertRulesPatch, await jsonBody(c.req.raw));
        const rules = applyAlertRulesPatch(await loadAlertRules(db, ws(c)), patch);
        await storeAlertRules(db, ws(c), rules, deps.clock());
        return c.json(rules, 200);
      })
      .openapi(route.alerts, async (c) => {
        const q = c.req.valid('query');
        return c.json(await listAlerts(db, ws(c), q), 200);
      })
      .openapi(bodyReadByHandler(app, route.recompute), async (c) => {
        const body = parse(
          z.strictObject({ accountId: z.string().min(1).max(200).optional() }),
          await jsonBody(c.req.raw),
        );
        return c.json(await recompute(deps.health, ws(c), body.accountId), 200);
      })
      .openapi(bodyReadByHandler(app, route.backfill), async (c) => {
        const body = parse(backfillBody, await jsonBody(c.req.raw));
        if (body.to > dayOf(deps.clock())) {
          throw new ApiError(400, errorCodes.validationFailed, 'Invalid request', undefined, [
            { pointer: '/to', detail: 'must not be in the future' },
          ]);
        }
        return c.json(await backfill(deps.health, ws(c), body.from, body.to), 200);
      })
  );
}
