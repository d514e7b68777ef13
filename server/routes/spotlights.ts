import { Hono } from 'hono';
import { z } from 'zod';
import { type SpotlightContent, spotlightDraftInput } from '../../shared/schemas/spotlight.ts';
import { spotlightFunnel } from '../analytics/spotlight-funnel.ts';
import type { AppDeps } from '../app.ts';
import type { AppEnv } from '../http/context.ts';
import { jsonBody, parse } from '../http/parse.ts';
import { present } from '../spotlights/deliver.ts';
import { previewToken } from '../spotlights/preview.ts';
import { versionedRoutes, versionParam, workspaceOf as ws } from './versioned.ts';

export const previewRequest = z.object({
  /** A page of the customer's app to open the preview on; the link is this URL with the token added. */
  url: z.url({ protocol: /^https?$/ }).optional(),
  expiresInMinutes: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(60),
  locale: z.string().max(35).optional(),
});

/**
 * Admin API for spotlights and tours (mounted under /v1/admin, behind its secret-key check):
 * drafts and versions, preview links and the step funnel.
 */
export function spotlightRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.route('/', versionedRoutes('spotlights', deps.spotlights, spotlightDraftInput));

  // The draft as the widget would receive it, and a link that shows it in the customer's app.
  app.post('/spotlights/:id/preview', async (c) => {
    const input = parse(previewRequest, await jsonBody(c.req.raw));
    const record = await deps.spotlights.get(ws(c), c.req.param('id'));
    const expiresAt = deps.clock() + input.expiresInMinutes * 60_000;
    const token = previewToken(c.get('tenant').signingKeys, record.id, expiresAt);
    const link = input.url ? new URL(input.url) : null;
    link?.searchParams.set('waymark_preview', token);
    return c.json(
      {
        token,
        expiresAt: new Date(expiresAt).toISOString(),
        url: link?.href ?? null,
        delivered: present(
          { id: record.id, version: 0, content: record.draft as SpotlightContent },
          input.locale ?? null,
          null,
          true,
        ),
      },
      201,
    );
  });

  app.get('/spotlights/:id/funnel', async (c) => {
    const id = c.req.param('id');
    const requested = c.req.query('version');
    const versions =
      requested === undefined
        ? await deps.spotlights.versions(ws(c), id)
        : [await deps.spotlights.version(ws(c), id, parse(versionParam, requested))];
    return c.json({ funnels: await Promise.all(versions.map((v) => spotlightFunnel(deps.db, ws(c), v))) });
  });
  return app;
}
