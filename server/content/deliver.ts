import { matchesTraits } from '../../shared/conditions.ts';
import { errorCodes, type FieldError } from '../../shared/problem.ts';
import { parseRichText } from '../../shared/rich-text.ts';
import type { ChecklistContent, ChecklistItem } from '../../shared/schemas/checklist.ts';
import type { UrlRule } from '../../shared/schemas/condition.ts';
import type {
  ContentRequest,
  ContentResponse,
  DeliveredChecklist,
  DeliveredItem,
  LocalRule,
} from '../../shared/schemas/content.ts';
import { contentRequest } from '../../shared/schemas/content.ts';
import type { EventRule } from '../../shared/schemas/milestone.ts';
import type { SpotlightContent } from '../../shared/schemas/spotlight.ts';
import type { SurveyContent } from '../../shared/schemas/survey.ts';
import { widgetStrings } from '../../shared/widget-strings.ts';
import type { Database } from '../db/client.ts';
import { goalId } from '../goals/catalog.ts';
import { ApiError } from '../http/api-error.ts';
import { parse } from '../http/parse.ts';
import { deliverSpotlights } from '../spotlights/deliver.ts';
import { opensByItself } from '../spotlights/eligibility.ts';
import { deliverSurveys } from '../surveys/deliver.ts';
import { verifyGroupHash, verifyUserHash } from '../workspaces/keys.ts';
import type { Tenant } from '../workspaces/store.ts';
import { checklistStates } from './content-state.ts';
import { previewDraft, readPreviewToken } from './preview.ts';
import { lastPromptAt, promptHistory } from './prompts.ts';
import type { Subject } from './subject.ts';
import { readSubject } from './subject-read.ts';
import { deliverTheme } from './theme.ts';
import { pickTranslation } from './translation.ts';
import { deliverableUrls, isSafeRule } from './url-rules.ts';
import { type Published, publishedContentAt } from './versioned.ts';

type Bag = Record<string, unknown>;

/**
 * What one end user should see now, with their progress: the published checklists whose audience
 * their traits match, localized, each item marked done from the goals evaluated at ingestion (the
 * user's own, or the account's for account-scope checklists). URL rules are left to the widget,
 * which knows the page.
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
  // Parsed once per content revision and shared (server/content/versioned.ts): no query while it holds.
  const [checklists, surveys, spotlights] = await Promise.all([
    publishedContentAt<ChecklistContent>(db, workspace.id, 'checklist', read.revision),
    publishedContentAt<SurveyContent>(db, workspace.id, 'survey', read.revision),
    publishedContentAt<SpotlightContent>(db, workspace.id, 'spotlight', read.revision),
  ]);
  const history = promptHistory(read.surveyDisplays, read.states);
  const autoOpening = new Set(spotlights.filter((row) => opensByItself(row.content)).map((row) => row.id));
  const known = new Set(spotlights.map((row) => row.id));
  const opens = (id: string) => autoOpening.has(id) || !known.has(id);
  const previewId = request.preview ? readPreviewToken(tenant.signingKeys, request.preview, now) : null;
  // Only a preview link costs reads beyond readSubject's one statement: the draft it names.
  const [checklistDraft, surveyDraft] = await Promise.all([
    previewDraft<ChecklistContent>(db, workspace.id, 'checklist', previewId),
    previewDraft<SurveyContent>(db, workspace.id, 'survey', previewId),
  ]);
  response.checklists = deliverChecklists(checklists, checklistDraft, subject, now, {
    progress: read.progress,
    milestoneByKey: read.milestoneByKey,
    states: checklistStates(read.states),
  });
  response.surveys = deliverSurveys(surveys, surveyDraft, subject, {
    now,
    cooldownHours: workspace.promptCooldownHours,
    firstSeen: user?.firstSeen ?? null,
    history,
    responses: read.surveyResponses,
    opensByItself: opens,
    theme: response.theme,
    workspaceName: workspace.name,
  });
  response.spotlights = await deliverSpotlights(db, spotlights, subject, { now, history, previewId });
  const last = lastPromptAt(history, opens);
  response.lastPromptAt = last === null ? null : new Date(last).toISOString();
  // A survey's preview is asked now: the widget's scheduler would hold it back for the cooldown.
  if (response.surveys[0]?.version === 0) response.promptCooldownHours = 0;
  return response;
}

/**
 * The published checklists whose audience the user is in, with their progress, highest priority
 * first (then oldest publication first); and the draft a preview link names, in place of its
 * published version and before the others, whatever the audience and on any page.
 */
function deliverChecklists(
  published: readonly Published<ChecklistContent>[],
  draft: { id: string; version: 0; content: ChecklistContent } | null,
  subject: Subject,
  now: number,
  read: {
    progress: Map<string, number>;
    milestoneByKey: Map<string, { id: string; rule: EventRule }>;
    states: Map<string, { shown?: number; opened?: number; dismissed?: number }>;
  },
): DeliveredChecklist[] {
  const { accountId, traits } = subject;
  const { progress, milestoneByKey, states } = read;
  const visible = published
    .flatMap((row) => {
      const urls = deliverableUrls(row.content.audience);
      return row.id !== draft?.id && urls && matchesTraits(row.content.audience, traits, now)
        ? [{ ...row, urls }]
        : [];
    })
    // Highest priority first; a stable sort keeps equal ones in publication order. Content stored
    // before checklists had a priority has none: 0, the default.
    .sort((a, b) => (b.content.priority ?? 0) - (a.content.priority ?? 0));
  const shown: Array<{
    id: string;
    version: number;
    content: ChecklistContent;
    urls: { urls: UrlRule[]; excludeUrls: UrlRule[] };
  }> = [...visible];
  if (draft) shown.unshift({ ...draft, urls: { urls: [], excludeUrls: [] } });

  return shown.map((row): DeliveredChecklist => {
    const scope = row.content.scope === 'account' && accountId !== null ? 'account' : 'user';
    const state = row.version === 0 ? undefined : states.get(row.id);
    return presentChecklist(row, subject.locale, milestoneByKey, {
      doneAt(item) {
        const goal =
          item.completion.kind === 'milestone'
            ? goalId.milestone(milestoneByKey.get(item.completion.milestone)?.id ?? '')
            : goalId.item(row.id, item.id);
        return progress.get(`${scope}:${goal}`) ?? null;
      },
      seen: state?.shown !== undefined,
      dismissed: state?.dismissed !== undefined && state.dismissed > (state.opened ?? 0),
    });
  });
}

/**
 * A checklist as the widget receives it, localized, with the user's progress (none for the admin
 * API's preview of a draft).
 */
export function presentChecklist(
  row: {
    id: string;
    version: number;
    content: ChecklistContent;
    urls: { urls: UrlRule[]; excludeUrls: UrlRule[] };
  },
  locale: string | null,
  milestoneByKey: Map<string, { rule: EventRule }>,
  user: { doneAt(item: ChecklistItem): number | null; seen: boolean; dismissed: boolean },
): DeliveredChecklist {
  const { content } = row;
  const text = localize(content, locale);
  return {
    id: row.id,
    version: row.version,
    scope: content.scope,
    locale: text.locale,
    title: parseRichText(text.title),
    description: parseRichText(text.description),
    position: content.display.position,
    openOnFirstView: content.display.openOnFirstView,
    dismissible: content.display.dismissible,
    urls: row.urls.urls,
    excludeUrls: row.urls.excludeUrls,
    items: content.items.map((item): DeliveredItem => {
      const done = user.doneAt(item);
      const rule = localRule(item, milestoneByKey);
      return {
        id: item.id,
        title: parseRichText(text.items.get(item.id)?.title ?? item.title),
        description: parseRichText(text.items.get(item.id)?.description ?? item.description),
        ...(item.action ? { action: item.action } : {}),
        required: item.required,
        manual: item.completion.kind === 'manual',
        ...(rule ? { localRule: rule } : {}),
        doneAt: done === null ? null : new Date(done).toISOString(),
      };
    }),
    seen: user.seen,
    dismissed: user.dismissed,
  };
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

/**
 * The widget may tick an item itself on a single matching event (the item's own rule, or its
 * milestone's) or page. Counts and time windows need history the widget does not have.
 */
function localRule(item: ChecklistItem, milestoneByKey: Map<string, { rule: EventRule }>): LocalRule | null {
  const completion = item.completion;
  // A rule that could freeze the page stays on the server (which matches no regex in SQL either).
  if (completion.kind === 'url')
    return isSafeRule(completion.url) ? { kind: 'url', url: completion.url } : null;
  const rule =
    completion.kind === 'event'
      ? completion
      : completion.kind === 'milestone'
        ? milestoneByKey.get(completion.milestone)?.rule
        : undefined;
  if (rule && rule.count === 1 && rule.withinDays === undefined) {
    return { kind: 'event', event: rule.event, where: rule.where };
  }
  return null;
}

/** A checklist's text in the best locale for the request; each field falls back on its own. */
export function localize(content: ChecklistContent, requested: string | null) {
  const { locale, translation } = pickTranslation(content.translations, content.locale, requested);
  return {
    locale,
    title: translation?.title ?? content.title,
    description: translation?.description ?? content.description,
    items: new Map(Object.entries(translation?.items ?? {})),
  };
}
