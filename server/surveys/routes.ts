import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { deliveredSurvey } from '../../shared/schemas/content.ts';
import { npsResponsePage, npsResultsReport, npsSignalsReport } from '../../shared/schemas/reports.ts';
import {
  type SurveyDraftInput,
  surveyDraftInput,
  surveyRecord,
  surveyVersion,
} from '../../shared/schemas/survey.ts';
import { theme } from '../../shared/schemas/theme.ts';
import type { AppDeps } from '../app.ts';
import { adminSecurity, answers, routes } from '../http/routes.ts';
import { idParams, versionedRoutes, workspaceOf } from '../routes/versioned.ts';
import { responsesCsv } from './csv.ts';
import { presentPreview } from './deliver.ts';
import {
  npsExportQuery,
  npsResponsesQuery,
  npsResultsQuery,
  npsSignalsQuery,
  responseFilterOf,
} from './queries.ts';
import { npsResults } from './results.ts';
import { npsSignals } from './signals.ts';
import { responsesPage } from './verbatims.ts';

/** How the results' trend and summary count people (README, "NPS surveys"). */
const trendVersusSummary =
  '`summary`, `segments` and `accounts` count each person once: their latest response in the whole period. ' +
  '`trend` counts each person once per bucket: their latest response within that bucket (week or month). ' +
  "Someone who answered in two buckets counts in both, so the buckets' `responses` add up to at least " +
  "the summary's `responses` (equal only when nobody answered in two buckets), and the summary is not " +
  'an average of the buckets.';

const security = adminSecurity;
const route = {
  results: createRoute({
    method: 'get',
    path: '/surveys/{id}/results',
    summary:
      'NPS over a period (each person once, by their latest response): score, 95% interval, distribution, response and dismissal rates, trend, segments, the accounts with the most responses (accountLimit) and how many there are',
    description: trendVersusSummary,
    security,
    request: { params: idParams, query: npsResultsQuery },
    responses: answers(npsResultsReport),
  }),
  responses: createRoute({
    method: 'get',
    path: '/surveys/{id}/responses',
    summary: 'Verbatims: every response, newest first, with filters and a cursor',
    security,
    request: { params: idParams, query: npsResponsesQuery },
    responses: answers(npsResponsePage),
  }),
  csv: createRoute({
    method: 'get',
    path: '/surveys/{id}/responses.csv',
    summary: 'Every response matching the filters as CSV (RFC 4180, formula-safe), as an attachment',
    security,
    request: { params: idParams, query: npsExportQuery },
    responses: {
      ...answers(z.string()),
      200: { description: 'CSV', content: { 'text/csv': { schema: z.string() } } },
    },
  }),
  signals: createRoute({
    method: 'get',
    path: '/nps/signals',
    summary: 'For account health: recent detractor responses, and accounts whose NPS dropped',
    security,
    request: { query: npsSignalsQuery },
    responses: answers(npsSignalsReport),
  }),
};

/**
 * Admin API for NPS (mounted under /v1/admin, behind its secret-key check): surveys, their results,
 * verbatims and CSV export, and the signals account health reads (detractors, NPS drops).
 */
export function surveyRoutes(deps: AppDeps) {
  const ws = workspaceOf;
  return routes()
    .route(
      '/',
      versionedRoutes(
        'surveys',
        deps.surveys,
        {
          noun: 'NPS survey',
          input: surveyDraftInput,
          example: { name: 'NPS', content: { productName: 'Ledgerly' } } satisfies SurveyDraftInput,
          record: surveyRecord,
          version: surveyVersion,
          delivered: deliveredSurvey,
        },
        {
          clock: deps.clock,
          present: ({ workspace }, record, locale) =>
            presentPreview({ id: record.id, content: record.draft }, locale, {
              theme: theme.parse(workspace.theme),
              workspaceName: workspace.name,
            }),
        },
      ),
    )
    .openapi(route.results, async (c) => {
      const query = c.req.valid('query');
      const survey = await deps.surveys.get(ws(c), c.req.param('id'));
      const results = await npsResults(deps.db, ws(c), survey.id, query, deps.clock());
      return c.json({ survey: { id: survey.id, name: survey.name }, ...results }, 200);
    })
    .openapi(route.responses, async (c) => {
      const { limit, cursor, ...query } = c.req.valid('query');
      const survey = await deps.surveys.get(ws(c), c.req.param('id'));
      const filter = responseFilterOf(survey.id, query, deps.clock());
      return c.json(await responsesPage(deps.db, ws(c), filter, { limit, after: cursor }), 200);
    })
    .openapi(route.csv, async (c) => {
      const query = c.req.valid('query');
      const survey = await deps.surveys.get(ws(c), c.req.param('id'));
      const filter = responseFilterOf(survey.id, query, deps.clock());
      const day = (t: number) => new Date(t).toISOString().slice(0, 10);
      const filename = `nps-${survey.id}-${day(filter.range.from)}-to-${day(filter.range.to - 1)}.csv`;
      return c.body(responsesCsv(deps.db, ws(c), filter), 200, {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="${filename}"`,
        'Cache-Control': 'no-store',
      });
    })
    .openapi(route.signals, async (c) => {
      const query = c.req.valid('query');
      return c.json(await npsSignals(deps.db, ws(c), query, deps.clock()), 200);
    });
}
