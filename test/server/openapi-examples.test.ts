import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { createMember } from '../../server/auth/owners.ts';
import { createHarness, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

interface Operation {
  path: string;
  method: string;
  contentType: string;
  schema: Record<string, unknown>;
  example: unknown;
}

async function operationsWithBodies(): Promise<Operation[]> {
  const res = await h.app.request('/openapi.json');
  expect(res.status).toBe(200);
  const doc = (await res.json()) as {
    paths: Record<
      string,
      Record<string, { requestBody?: { content: Record<string, Record<string, unknown>> } }>
    >;
  };
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of ['get', 'put', 'post', 'patch', 'delete']) {
      const content = item[method]?.requestBody?.content;
      if (!content) continue;
      for (const [contentType, media] of Object.entries(content)) {
        operations.push({
          path,
          method,
          contentType,
          schema: media.schema as Record<string, unknown>,
          example: media.example,
        });
      }
    }
  }
  return operations;
}

/**
 * A console team route's path, filled in: the session's workspace (made by `POST /v1/setup`) and,
 * for a member route, a viewer added to it, whose role the example changes.
 */
async function consolePath(template: string, session: string | null): Promise<string> {
  const headers = { cookie: session ?? '' };
  const { activeWorkspaceId } = (await (await h.app.request('/v1/console/session', { headers })).json()) as {
    activeWorkspaceId: string;
  };
  if (!template.includes('{memberId}')) return template.replace('{workspaceId}', activeWorkspaceId);
  const userId = await createMember(
    { db: h.db, auth: h.app.auth, now: h.clock.now },
    { name: 'Vic', email: 'vic@acme.com', password: 'vic password 123' },
    [activeWorkspaceId],
    'viewer',
  );
  const { members } = (await (
    await h.app.request(`/v1/console/workspaces/${activeWorkspaceId}/members`, { headers })
  ).json()) as { members: { id: string; userId: string }[] };
  const memberId = members.find((m) => m.userId === userId)?.id ?? '';
  return template.replace('{workspaceId}', activeWorkspaceId).replace('{memberId}', memberId);
}

describe('the OpenAPI document', () => {
  it('has an example for every request body, valid against the operation’s schema', async () => {
    const operations = await operationsWithBodies();
    // Ingestion, content, milestones (2), checklists, surveys, spotlights (create, edit, preview: 9),
    // keys, workspace.
    expect(operations.length).toBeGreaterThanOrEqual(15);
    // The routes as declared, where each body is the zod schema the document was generated from (the
    // JSON Schema's own patterns use Unicode property escapes, which zod's fromJSONSchema compiles
    // without the `u` flag, so the source schema is the one to check against; it has the refinements too).
    const declared = new Map<string, z.ZodType>();
    for (const definition of h.app.openAPIRegistry.definitions) {
      if (definition.type !== 'route') continue;
      const { method, path, request } = definition.route;
      for (const [contentType, media] of Object.entries(request?.body?.content ?? {})) {
        if (media && 'schema' in media)
          declared.set(`${method} ${path} ${contentType}`, media.schema as z.ZodType);
      }
    }
    for (const op of operations) {
      const name = `${op.method.toUpperCase()} ${op.path} (${op.contentType})`;
      expect(op.example, name).toBeDefined();
      const schema = declared.get(`${op.method} ${op.path} ${op.contentType}`);
      expect(schema, name).toBeDefined();
      const result = schema?.safeParse(op.example);
      expect(result?.error?.issues ?? [], name).toEqual([]);
    }
  });

  it('has examples the server itself accepts, sent as they are', async () => {
    const operations = await operationsWithBodies();
    // Collections first, so that `{id}` can be one the example created.
    operations.sort((a, b) => a.path.length - b.path.length);
    const created = new Map<string, string>();
    // The console's routes need a session: the one `POST /v1/setup` (a shorter path, so sent
    // before them) signs in, from this server's own origin.
    let session: string | null = null;
    for (const op of operations) {
      const collection = op.path.split('/{id}')[0] ?? op.path;
      const id = created.get(collection);
      if (op.path.includes('{id}') && id === undefined) throw new Error(`no record to try ${op.path} on`);
      const path = (
        op.path.includes('{workspaceId}') ? await consolePath(op.path, session) : op.path
      ).replace('{id}', id ?? '');
      const admin = path.startsWith('/v1/admin');
      const example =
        op.path === '/v1/content' ? { ...(op.example as object), writeKey: h.ws.publishableKey } : op.example;
      const res = await h.app.request(path, {
        method: op.method.toUpperCase(),
        body:
          op.contentType.includes('json') || op.contentType === 'text/plain'
            ? JSON.stringify(example)
            : String(example),
        headers: {
          'content-type': op.contentType,
          ...(path.startsWith('/v1/console')
            ? { cookie: session ?? '', origin: 'http://localhost' }
            : { authorization: admin ? `Bearer ${h.ws.secretKey}` : `Bearer ${h.ws.publishableKey}` }),
        },
      });
      if (op.path === '/v1/setup') {
        session = res.headers
          .getSetCookie()
          .map((cookie) => cookie.split(';')[0])
          .join('; ');
      }
      expect(res.status, `${op.method.toUpperCase()} ${op.path}: ${await res.clone().text()}`).toBeLessThan(
        300,
      );
      if (op.method === 'post' && !op.path.includes('{id}') && admin) {
        const body = (await res.json()) as { id?: string };
        if (body.id) created.set(op.path, body.id);
      }
    }
  });
});
