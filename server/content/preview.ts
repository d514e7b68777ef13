import { createHmac, timingSafeEqual } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { contents } from '../db/schema.ts';
import { parseStored, type StoredKind } from './versioned.ts';

/**
 * Preview links: `?waymark_preview=<token>` on a page of the customer's app shows the draft of a
 * checklist, survey or spotlight to whoever opens it, for a limited time (the widget keeps the token
 * and sends it with its content requests until `reset()`). The token names the content and its expiry and is
 * signed with a key only the server holds, derived from the hash of the workspace's newest live
 * secret key (`Tenant.signingKeys`): revoking that key, or its expiry after a rotation, ends every
 * preview signed with it.
 *
 * @example
 * const token = previewToken(tenant.signingKeys, 'tour-1', Date.now() + 3_600_000)
 */
export function previewToken(signingKeys: readonly string[], contentId: string, expiresAt: number): string {
  const [newest] = signingKeys;
  if (newest === undefined) throw new Error('a preview needs a live secret key to sign with');
  const payload = Buffer.from(JSON.stringify([contentId, expiresAt])).toString('base64url');
  return `${payload}.${sign(newest, payload)}`;
}

/** The content id a token previews, or null when it is forged, malformed, expired or its key is gone. */
export function readPreviewToken(signingKeys: readonly string[], token: string, now: number): string | null {
  const [payload, signature] = token.split('.');
  if (!payload || !signature) return null;
  const given = Buffer.from(signature);
  const signed = signingKeys.some((key) => {
    const expected = Buffer.from(sign(key, payload));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  if (!signed) return null;
  try {
    const [contentId, expiresAt] = JSON.parse(Buffer.from(payload, 'base64url').toString()) as [
      unknown,
      unknown,
    ];
    return typeof contentId === 'string' && typeof expiresAt === 'number' && now < expiresAt
      ? contentId
      : null;
  } catch {
    return null;
  }
}

const sign = (key: string, payload: string) =>
  createHmac('sha256', `waymark-preview:${key}`).update(payload).digest('base64url');

/**
 * The draft a preview token names, if it is of this kind: delivered as version 0, which the widget's
 * events for it carry and ingestion refuses (no published version 0), so a preview records nothing.
 *
 * @example
 * const draft = await previewDraft(db, workspaceId, { kind: 'survey', schema: surveyContent }, previewId)
 */
export async function previewDraft<C>(
  db: Database,
  workspaceId: string,
  { kind, schema }: StoredKind<C>,
  previewId: string | null,
): Promise<{ id: string; version: 0; content: C } | null> {
  if (previewId === null) return null;
  const [draft] = await db.read
    .select({ id: contents.id, content: contents.draft })
    .from(contents)
    .where(and(eq(contents.workspaceId, workspaceId), eq(contents.id, previewId), eq(contents.kind, kind)));
  return draft
    ? { id: draft.id, version: 0, content: parseStored(schema, draft.content, `${kind} ${draft.id}'s draft`) }
    : null;
}
