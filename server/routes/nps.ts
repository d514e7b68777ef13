import { Hono } from 'hono';
import { surveyDraftInput } from '../../shared/schemas/survey.ts';
import { theme } from '../../shared/schemas/theme.ts';
import {
  npsExportQuery,
  npsResponsesQuery,
  npsResults,
  npsResultsQuery,
  npsSignals,
  npsSignalsQuery,
  responseFilterOf,
  responsesCsv,
  responsesPage,
} from '../analytics/nps.ts';
import type { AppDeps } from '../app.ts';
import type { AppEnv } from '../http/context.ts';
import { parse } from '../http/parse.ts';
import { presentPreview } from '../surveys/deliver.ts';
import { versionedRoutes, workspaceOf } from './versioned.ts';

/**
 * Admin API for NPS (mounted under /v1/admin, behind its secret-key check): surveys, their results,
 * verbatims and CSV export, and the signals account health reads (detractors, NPS drops).
 */
export function npsRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const ws = workspaceOf;
  app.route(
    '/',
    versionedRoutes('surveys', deps.surveys, surveyDraftInput, {
      clock: deps.clock,
      present: ({ workspace }, record, locale) =>
        presentPreview({ id: record.id, content: record.draft }, locale, {
          theme: theme.parse(workspace.theme),
          workspaceName: workspace.name,
        }),
    }),
  );

  app.get('/surveys/:id/results', async (c) => {
    const query = parse(npsResultsQuery, c.req.query());
    const survey = await deps.surveys.get(ws(c), c.req.param('id'));
    const results = await npsResults(deps.db, ws(c), survey.id, query, deps.clock());
    return c.json({ survey: { id: survey.id, name: survey.name }, ...results });
  });

  app.get('/surveys/:id/responses', async (c) => {
    const { limit, cursor, ...query } = parse(npsResponsesQuery, c.req.query());
    const survey = await deps.surveys.get(ws(c), c.req.param('id'));
    const filter = responseFilterOf(survey.id, query, deps.clock());
    return c.json(await responsesPage(deps.db, ws(c), filter, { limit, after: cursor }));
  });

  app.get('/surveys/:id/responses.csv', async (c) => {
    const query = parse(npsExportQuery, c.req.query());
    const survey = await deps.surveys.get(ws(c), c.req.param('id'));
    const filter = responseFilterOf(survey.id, query, deps.clock());
    const day = (t: number) => new Date(t).toISOString().slice(0, 10);
    const filename = `nps-${survey.id}-${day(filter.range.from)}-to-${day(filter.range.to - 1)}.csv`;
    return c.body(responsesCsv(deps.db, ws(c), filter), 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${filename}"`,
      'Cache-Control': 'no-store',
    });
  });

  app.get('/nps/signals', async (c) => {
    const query = parse(npsSignalsQuery, c.req.query());
    return c.json(await npsSignals(deps.db, ws(c), query, deps.clock()));
  });

  return app;
}
