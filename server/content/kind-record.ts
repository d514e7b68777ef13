import type { z } from 'zod';
import type { ContentResponse } from '../../shared/schemas/content.ts';
import type { DeliveredTheme } from '../../shared/schemas/theme.ts';
import type { ContentKind } from '../../shared/schemas/versioned.ts';
import type { AppDeps } from '../app.ts';
import type { Database } from '../db/client.ts';
import type { IngestHooks } from '../ingest/hooks.ts';
import type { MilestoneService } from './milestones.ts';
import type { PromptEvent } from './prompts.ts';
import type { Subject } from './subject.ts';
import type { SubjectRead } from './subject-read.ts';
import type { Published, VersionedContent } from './versioned.ts';

/** What a kind's drafts and versions are built on (one service per app). */
export interface KindServiceDeps {
  db: Database;
  clock: () => number;
  milestones: MilestoneService;
}

/** What content delivery knows of one end user and their workspace, shared by every kind's delivery. */
export interface DeliveryContext {
  subject: Subject;
  now: number;
  /** The one read of the user, their account, their progress and their prompt history. */
  read: SubjectRead;
  /** The user's surveys and spotlights shown and done (server/content/prompts.ts). */
  history: readonly PromptEvent[];
  /** Whether content shown to the user interrupted them by itself (what the cooldown counts). */
  opensByItself(contentId: string): boolean;
  workspace: { name: string; promptCooldownHours: number };
  /** The workspace theme as delivered. */
  theme: DeliveredTheme;
}

/**
 * What a kind adds to `/v1/content`: its list (its field of the response, shared/schemas/content.ts),
 * and the cooldown when its preview is asked now.
 */
export type DeliveredPart = Partial<Omit<ContentResponse, 'theme' | 'lastPromptAt' | 'strings' | 'servedAt'>>;

/**
 * Everything the rest of the system needs from one content kind (README, "How to add a content
 * kind"), listed in `server/kinds.ts`: its content schema, its drafts and versions with what saving
 * checks and publishing does (`service`), what `/v1/content` adds for a subject (`deliver`), what it
 * checks and projects at ingestion (`ingest`), its admin routes and its analytics.
 *
 * @example
 * export const bannerKind = {
 *   kind: 'banner', schema: bannerContent,
 *   service: ({ db, clock }) => new VersionedContent(db, { kind: 'banner', schema: bannerContent }, { label: 'Banner', idPrefix: 'bn' }, clock),
 *   deliver: (context, published) => ({ banners: deliverBanners(published, context.subject, context.now) }),
 *   routes: bannerRoutes,
 *   analytics: {},
 * } satisfies KindRecord<BannerContent, ReturnType<typeof bannerRoutes>>
 */
export interface KindRecord<C, Routes = unknown> {
  /** Its `contents.kind`. */
  kind: ContentKind;
  /** Its content as authored and stored (drafts and versions are parsed with it). */
  schema: z.ZodType<C>;
  /** Its drafts and immutable versions, with its hooks on saving, publishing and archiving. */
  service(deps: KindServiceDeps): VersionedContent<C>;
  /** Whether published content of this kind opens by itself when shown (the cooldown counts those). */
  opensByItself?(content: C): boolean;
  /**
   * What `/v1/content` adds for the subject, from its published versions (parsed once per content
   * revision) and the draft a preview link names, if it is of this kind.
   */
  deliver(
    context: DeliveryContext,
    published: readonly Published<C>[],
    draft: { id: string; version: 0; content: C } | null,
  ): DeliveredPart | Promise<DeliveredPart>;
  /** What it checks before an ingest commit and projects inside it (server/ingest/hooks.ts). */
  ingest?: IngestHooks;
  /** Its admin routes (drafts, versions, previews, reports), mounted under `/v1/admin`. */
  routes(deps: AppDeps): Routes;
  /** Its reports, by name: what its routes and other modules (account health) read. */
  analytics: Readonly<Record<string, (...args: never[]) => unknown>>;
}
