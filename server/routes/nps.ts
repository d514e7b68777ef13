import { Hono } from 'hono';
import { surveyDraftInput } from '../../shared/schemas/survey.ts';
import type { AppDeps } from '../app.ts';
import type { AppEnv } from '../http/context.ts';
import { versionedRoutes } from './versioned.ts';

/** Admin API for NPS (mounted under /v1/admin, behind its secret-key check): surveys and results. */
export function npsRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.route('/', versionedRoutes('surveys', deps.surveys, surveyDraftInput));
  return app;
}
