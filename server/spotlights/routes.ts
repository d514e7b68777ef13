import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { deliveredSpotlight } from '../../shared/schemas/content.ts';
import { spotlightFunnels } from '../../shared/schemas/reports.ts';
import {
  type SpotlightDraftInput,
  spotlightDraftInput,
  spotlightRecord,
  spotlightVersion,
} from '../../shared/schemas/spotlight.ts';
import type { AppDeps } from '../app.ts';
import { previewToken } from '../content/preview.ts';
import { jsonBody, parse } from '../http/parse.ts';
import { adminSecurity, answers, body, bodyReadByHandler, routes } from '../http/routes.ts';
import { funnelQuery, idParams, versionedRoutes, workspaceOf as ws } from '../routes/versioned.ts';
import { present } from './deliver.ts';
import { spotlightFunnel } from './funnel.ts';

const funnelRoute = createRoute({
  method: 'get',
  path: '/spotlights/{id}/funnel',
  summary: 'Shown, each step viewed and dismissed at, completed, completion rate, targets not found',
  security: adminSecurity,
  request: { params: idParams, query: funnelQuery },
  responses: answers(spotlightFunnels),
});

/** `POST /spotlights/picker-link`: a page of the customer's app to pick elements on. */
export const pickerLinkRequest = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'must be a full http(s) address of a page of your app' }),
});

const pickerLinkRoute = createRoute({
  method: 'post',
  path: '/spotlights/picker-link',
  summary:
    'A signed link, valid 15 minutes, that opens a page of your app ready for the element picker (README, "Element picker")',
  description:
    'The link carries a preview token that names no content: the page shows what it always shows, and the widget there starts the picker when the console opened it (`waymark_pick`). For a tour not saved yet, whose steps need their elements before it can be.',
  security: adminSecurity,
  request: { body: body(pickerLinkRequest, { url: 'https://app.acme.com/invoices' }) },
  responses: answers(z.object({ url: z.string(), expiresAt: z.string() })),
});

/** How long a picker link works: long enough to open it, not to share it. */
const pickerLinkMinutes = 15;

/**
 * Admin API for spotlights and tours (mounted under /v1/admin, behind its secret-key check):
 * drafts and versions, preview links and the step funnel.
 */
export function spotlightRoutes(deps: AppDeps) {
  const app = routes();
  return app
    .route(
      '/',
      versionedRoutes(
        'spotlights',
        deps.spotlights,
        {
          noun: 'spotlight or tour',
          input: spotlightDraftInput,
          example: {
            name: 'CSV export',
            content: {
              steps: [
                {
                  id: 'export',
                  kind: 'hotspot',
                  title: 'Export to CSV',
                  body: 'Download every invoice as a spreadsheet.',
                  anchor: { selector: '[data-tour="export"]' },
                },
              ],
            },
          } satisfies SpotlightDraftInput,
          record: spotlightRecord,
          version: spotlightVersion,
          delivered: deliveredSpotlight,
        },
        {
          clock: deps.clock,
          present: (_tenant, record, locale) =>
            present({ id: record.id, version: 0, content: record.draft }, locale, null, true),
        },
      ),
    )
    .openapi(bodyReadByHandler(app, pickerLinkRoute), async (c) => {
      const { url } = parse(pickerLinkRequest, await jsonBody(c.req.raw));
      const expiresAt = deps.clock() + pickerLinkMinutes * 60_000;
      // No content has an empty id: the token previews nothing (server/content/preview.ts).
      const link = new URL(url);
      link.searchParams.set('waymark_preview', previewToken(c.get('tenant').signingKeys, '', expiresAt));
      return c.json({ url: link.href, expiresAt: new Date(expiresAt).toISOString() }, 200);
    })
    .openapi(funnelRoute, async (c) => {
      const id = c.req.param('id');
      const requested = c.req.valid('query').version;
      const versions =
        requested === undefined
          ? await deps.spotlights.versions(ws(c), id)
          : [await deps.spotlights.version(ws(c), id, requested)];
      return c.json(
        { funnels: await Promise.all(versions.map((v) => spotlightFunnel(deps.db, ws(c), v))) },
        200,
      );
    });
}
