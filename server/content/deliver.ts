import { deliverTheme } from '../../shared/delivered-theme.ts';
import { errorCodes, type FieldError } from '../../shared/problem.ts';
import type { ContentRequest, ContentResponse } from '../../shared/schemas/content.ts';
import { contentRequest } from '../../shared/schemas/content.ts';
import { widgetStrings } from '../../shared/widget-strings.ts';
import type { Database } from '../db/client.ts';
import { ApiError } from '../http/api-error.ts';
import { parse } from '../http/parse.ts';
import { contentKinds } from '../kinds.ts';
import { verifyGroupHash, verifyUserHash } from '../workspaces/keys.ts';
import type { Tenant } from '../workspaces/store.ts';
import type { DeliveryContext } from './kind-record.ts';
import { previewDraft, readPreviewToken } from './preview.ts';
import { lastPromptAt, promptHistory } from './prompts.ts';
import type { Subject } from './subject.ts';
import { readSubject } from './subject-read.ts';
import { publishedContentAt } from './versioned.ts';

type Bag = Record<string, unknown>;

/**
 * What one end user should see now, with their progress: what each content kind delivers for them
 * (server/kinds.ts), from its published versions and the draft a preview link names, and when a
 * prompt that opens by itself was last shown to them. URL rules are left to the widget, which knows
 * the page.
 */
export async function deliverContent(
  db: Database,
  tenant: Tenant,
  body: unknown,
  now: number,
): Promise<ContentResponse> {
  const request = parse(contentRequest, body);
  const { workspace } = tenant;
  const response: ContentResponse = {
    theme: deliverTheme(workspace.theme),
    checklists: [],
    surveys: [],
    spotlights: [],
    lastPromptAt: null,
    promptCooldownHours: workspace.promptCooldownHours,
    strings: widgetStrings(request.locale),
    servedAt: new Date(now).toISOString(),
  };
  // Onboarding is for signed-in users: anonymous visitors get the theme only, no account progress.
  const userId = request.userId ?? null;
  if (userId === null) return response;
  // The secret key is the customer's own server: it is trusted as for ingestion.
  const enforced = workspace.identityVerification === 'enforce' && tenant.keyKind !== 'secret';
  if (enforced) assertIdentity(workspace.identitySecrets, userId, request);

  const read = await readSubject(db, workspace.id, userId, request.groupId ?? null);
  const { user, account } = read;
  // Under enforcement a named account has just been proven by its groupHash; the stored one only a
  // signed message (or the secret key) can have set.
  const accountId = request.groupId ?? user?.accountId ?? null;
  // What the widget knows may be newer than what is stored (this page load's identify). Under
  // enforcement the browser cannot choose its audience: only stored, server-side traits count.
  const traits = {
    user: { ...(user?.traits ?? {}), ...(enforced ? {} : request.traits) } as Bag,
    account: { ...(account?.traits ?? {}), ...(enforced ? {} : request.groupTraits) } as Bag,
  };

  const subject: Subject = {
    workspaceId: workspace.id,
    userId,
    accountId,
    traits,
    locale: request.locale ?? null,
  };
  const previewId = request.preview ? readPreviewToken(tenant.signingKeys, request.preview, now) : null;
  // Each kind's published versions, parsed once per content revision and shared
  // (server/content/versioned.ts): no query while it holds. Only a preview link costs reads beyond
  // readSubject's one statement: the draft it names.
  const loaded = await Promise.all(
    contentKinds.map(async (kind) => {
      const [published, draft] = await Promise.all([
        publishedContentAt<unknown>(db, workspace.id, kind, read.revision),
        previewDraft<unknown>(db, workspace.id, kind, previewId),
      ]);
      return { kind, published, draft };
    }),
  );
  const history = promptHistory(read.surveyDisplays, read.states);
  // Content whose kind says whether it opens by itself; any other (unknown) content counts, to be safe.
  const autoOpening = new Set<string>();
  const known = new Set<string>();
  for (const { kind, published } of loaded) {
    if (!kind.opensByItself) continue;
    for (const row of published) {
      known.add(row.id);
      if (kind.opensByItself(row.content)) autoOpening.add(row.id);
    }
  }
  const opens = (id: string) => autoOpening.has(id) || !known.has(id);
  const context: DeliveryContext = {
    subject,
    now,
    read,
    history,
    opensByItself: opens,
    workspace,
    theme: response.theme,
  };
  const parts = await Promise.all(
    loaded.map(({ kind, published, draft }) => kind.deliver(context, published, draft)),
  );
  for (const part of parts) Object.assign(response, part);
  const last = lastPromptAt(history, opens);
  response.lastPromptAt = last === null ? null : new Date(last).toISOString();
  return response;
}

/**
 * With identity verification enforced, user content needs the user's signature, and a named
 * account's progress the signature of the user's membership (both problems reported at once).
 */
function assertIdentity(secrets: readonly string[], userId: string, request: ContentRequest): void {
  const errors: FieldError[] = [];
  if (!(request.userHash && verifyUserHash(secrets, userId, request.userHash))) {
    errors.push({
      pointer: '/userHash',
      detail: 'must be HMAC-SHA256(identitySecret, userId) in hex for this workspace',
    });
  }
  const { groupId, groupHash } = request;
  if (groupId && !(groupHash && verifyGroupHash(secrets, userId, groupId, groupHash))) {
    errors.push({
      pointer: '/groupHash',
      detail: 'must be HMAC-SHA256(identitySecret, userId + "\\n" + groupId) in hex for this workspace',
    });
  }
  if (errors.length > 0) {
    throw new ApiError(401, errorCodes.identityNotVerified, 'Identity not verified', undefined, errors);
  }
}
