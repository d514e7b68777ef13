import type { InStatement } from '@libsql/client';
import { and, desc, eq, isNotNull, sql } from 'drizzle-orm';
import { nanoid } from 'nanoid';
import { errorCodes } from '../../shared/problem.ts';
import type { ContentKind, ContentRecord, ContentVersion } from '../../shared/schemas/versioned.ts';
import { type Database, statement } from '../db/client.ts';
import { type ContentRow, contents, contentVersions, workspaces } from '../db/schema.ts';
import { ApiError } from '../http/api-error.ts';

/** What a kind of content adds to the shared life cycle. */
export interface ContentHooks<C> {
  /** Checks what the schema cannot (references to other records); throws ApiError with pointers. */
  validate?(workspaceId: string, content: C, pointer: string): Promise<void>;
  /** Statements committed with a new version, e.g. recomputing progress for changed rules. */
  onPublish?(workspaceId: string, id: string, previous: C | null, next: C, now: number): InStatement[];
  /** Statements committed when it is archived. */
  onArchive?(workspaceId: string): InStatement[];
}

/** A published version end users may see. */
export interface Published<C> {
  id: string;
  version: number;
  content: C;
}

/**
 * One kind of authored content (checklists, surveys): a draft anyone with the secret key edits
 * freely, and immutable published versions that end users see. Publishing commits the version, the
 * pointer to it and the kind's own statements (see ContentHooks) in one transaction.
 *
 * @example
 * const surveys = new VersionedContent<SurveyContent>(db, 'survey', { label: 'Survey', idPrefix: 'sv' }, clock)
 * const { id } = await surveys.create(workspaceId, { name: 'NPS', content })
 * await surveys.publish(workspaceId, id)
 */
export class VersionedContent<C> {
  constructor(
    private readonly db: Database,
    readonly kind: ContentKind,
    private readonly names: { label: string; idPrefix: string },
    private readonly clock: () => number,
    private readonly hooks: ContentHooks<C> = {},
  ) {}

  async list(workspaceId: string): Promise<ContentRecord<C>[]> {
    const rows = await this.db.read
      .select()
      .from(contents)
      .where(and(eq(contents.workspaceId, workspaceId), eq(contents.kind, this.kind)))
      .orderBy(desc(contents.createdAt));
    return Promise.all(rows.map((row) => this.#present(row)));
  }

  async get(workspaceId: string, id: string): Promise<ContentRecord<C>> {
    return this.#present(await this.#row(workspaceId, id));
  }

  /** Active content's drafts: what may still be published. */
  drafts(workspaceId: string): Promise<Array<{ id: string; name: string; draft: C }>> {
    return activeDrafts<C>(this.db, workspaceId, this.kind);
  }

  async create(workspaceId: string, input: { name: string; content: C }): Promise<ContentRecord<C>> {
    await this.hooks.validate?.(workspaceId, input.content, '/content');
    const now = this.clock();
    const row: ContentRow = {
      workspaceId,
      id: `${this.names.idPrefix}_${nanoid(12)}`,
      kind: this.kind,
      name: input.name,
      status: 'active',
      draft: input.content,
      draftUpdatedAt: now,
      publishedVersion: null,
      createdAt: now,
    };
    await this.db.writer.batch([statement(this.db.read.insert(contents).values(row))]);
    return this.#present(row);
  }

  /** Edits the draft only: what end users see changes when the draft is published. */
  async updateDraft(
    workspaceId: string,
    id: string,
    input: { name: string; content: C },
  ): Promise<ContentRecord<C>> {
    const row = await this.#row(workspaceId, id);
    if (row.status === 'archived') throw this.#archived();
    await this.hooks.validate?.(workspaceId, input.content, '/content');
    const now = this.clock();
    await this.db.writer.batch([
      statement(
        this.db.read
          .update(contents)
          .set({ name: input.name, draft: input.content, draftUpdatedAt: now })
          .where(this.#where(workspaceId, id)),
      ),
    ]);
    return this.#present({ ...row, name: input.name, draft: input.content, draftUpdatedAt: now });
  }

  /** Publishes the draft as the next version. */
  async publish(workspaceId: string, id: string): Promise<ContentVersion<C>> {
    const row = await this.#row(workspaceId, id);
    if (row.status === 'archived') throw this.#archived();
    const draft = row.draft as C;
    await this.hooks.validate?.(workspaceId, draft, '/draft');
    const previous =
      row.publishedVersion === null ? null : await this.version(workspaceId, id, row.publishedVersion);
    const version = (await this.#latestVersion(workspaceId, id)) + 1;
    const now = this.clock();
    await this.db.writer.batch([
      statement(
        this.db.read
          .insert(contentVersions)
          .values({ workspaceId, contentId: id, version, content: draft, publishedAt: now }),
      ),
      statement(
        this.db.read.update(contents).set({ publishedVersion: version }).where(this.#where(workspaceId, id)),
      ),
      bumpContentRevision(workspaceId),
      ...(this.hooks.onPublish?.(workspaceId, id, previous?.content ?? null, draft, now) ?? []),
    ]);
    return { contentId: id, version, content: draft, publishedAt: new Date(now).toISOString() };
  }

  /** Archived content is shown to nobody; its history stays readable. */
  async archive(workspaceId: string, id: string): Promise<ContentRecord<C>> {
    const row = await this.#row(workspaceId, id);
    await this.db.writer.batch([
      statement(
        this.db.read.update(contents).set({ status: 'archived' }).where(this.#where(workspaceId, id)),
      ),
      bumpContentRevision(workspaceId),
      ...(this.hooks.onArchive?.(workspaceId) ?? []),
    ]);
    return this.#present({ ...row, status: 'archived' });
  }

  async versions(workspaceId: string, id: string): Promise<ContentVersion<C>[]> {
    await this.#row(workspaceId, id);
    const rows = await this.db.read
      .select()
      .from(contentVersions)
      .where(and(eq(contentVersions.workspaceId, workspaceId), eq(contentVersions.contentId, id)))
      .orderBy(desc(contentVersions.version));
    return rows.map((row) => presentVersion<C>(row));
  }

  async version(workspaceId: string, id: string, version: number): Promise<ContentVersion<C>> {
    await this.#row(workspaceId, id);
    const [row] = await this.db.read
      .select()
      .from(contentVersions)
      .where(
        and(
          eq(contentVersions.workspaceId, workspaceId),
          eq(contentVersions.contentId, id),
          eq(contentVersions.version, version),
        ),
      );
    if (!row)
      throw new ApiError(
        404,
        errorCodes.notFound,
        'Not found',
        `${this.names.label} ${id} has no published version ${version}.`,
      );
    return presentVersion<C>(row);
  }

  /** What end users may see now: each active item's published version. */
  published(workspaceId: string): Promise<Published<C>[]> {
    return publishedContent<C>(this.db, workspaceId, this.kind);
  }

  #where(workspaceId: string, id: string) {
    return and(eq(contents.workspaceId, workspaceId), eq(contents.id, id));
  }

  async #latestVersion(workspaceId: string, id: string): Promise<number> {
    const [row] = await this.db.read
      .select({ version: contentVersions.version })
      .from(contentVersions)
      .where(and(eq(contentVersions.workspaceId, workspaceId), eq(contentVersions.contentId, id)))
      .orderBy(desc(contentVersions.version))
      .limit(1);
    return row?.version ?? 0;
  }

  async #row(workspaceId: string, id: string): Promise<ContentRow> {
    const [row] = await this.db.read
      .select()
      .from(contents)
      .where(and(this.#where(workspaceId, id), eq(contents.kind, this.kind)));
    if (!row)
      throw new ApiError(
        404,
        errorCodes.notFound,
        'Not found',
        `No ${this.names.label.toLowerCase()} with this id in this workspace.`,
      );
    return row;
  }

  async #present(row: ContentRow): Promise<ContentRecord<C>> {
    const published =
      row.publishedVersion === null
        ? null
        : await this.version(row.workspaceId, row.id, row.publishedVersion);
    return {
      id: row.id,
      name: row.name,
      status: row.status,
      draft: row.draft as C,
      draftUpdatedAt: new Date(row.draftUpdatedAt).toISOString(),
      publishedVersion: row.publishedVersion,
      hasUnpublishedChanges:
        published === null || JSON.stringify(published.content) !== JSON.stringify(row.draft),
      createdAt: new Date(row.createdAt).toISOString(),
    };
  }

  #archived() {
    return new ApiError(
      409,
      errorCodes.conflict,
      `${this.names.label} archived`,
      `An archived ${this.names.label.toLowerCase()} cannot be edited or published.`,
    );
  }
}

function presentVersion<C>(row: typeof contentVersions.$inferSelect): ContentVersion<C> {
  return {
    contentId: row.contentId,
    version: row.version,
    content: row.content as C,
    publishedAt: new Date(row.publishedAt).toISOString(),
  };
}

/**
 * What end users of a workspace may see now: each active item's published version, of one kind,
 * in the order they were published (that version's publication).
 */
export async function publishedContent<C>(
  db: Database,
  workspaceId: string,
  kind: ContentKind,
): Promise<Published<C>[]> {
  const [workspace] = await contentRevision(db, workspaceId);
  return publishedContentAt<C>(db, workspaceId, kind, workspace?.revision ?? -1);
}

/**
 * The workspace's content revision, which every publish and archive bumps: a query, to be run alone
 * or in a `db.read.batch` with the rest of what a page view reads.
 */
export const contentRevision = (db: Database, workspaceId: string) =>
  db.read
    .select({ revision: workspaces.contentRevision })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId));

/**
 * `publishedContent` for a revision just read (-1 for a workspace that does not exist). Every page
 * view of every end user asks for this: parsed once per revision, then only the revision is read per
 * call to tell whether a publish or an archive (on any instance) changed it.
 */
export async function publishedContentAt<C>(
  db: Database,
  workspaceId: string,
  kind: ContentKind,
  revision: number,
): Promise<Published<C>[]> {
  let byWorkspace = publishedCache.get(db);
  if (!byWorkspace) {
    byWorkspace = new Map();
    publishedCache.set(db, byWorkspace);
  }
  const key = `${workspaceId}\u0000${kind}`;
  const cached = byWorkspace.get(key);
  if (cached?.revision === revision) return cached.rows as Published<C>[];
  const rows = await db.read
    .select({ id: contents.id, version: contentVersions.version, content: contentVersions.content })
    .from(contents)
    .innerJoin(
      contentVersions,
      and(
        eq(contentVersions.workspaceId, contents.workspaceId),
        eq(contentVersions.contentId, contents.id),
        eq(contentVersions.version, contents.publishedVersion),
      ),
    )
    .where(
      and(
        eq(contents.workspaceId, workspaceId),
        eq(contents.kind, kind),
        eq(contents.status, 'active'),
        isNotNull(contents.publishedVersion),
      ),
    )
    // Oldest publication first (rowid: the order versions were written in, for publications in the
    // same millisecond): where content is ranked (a checklist's priority), ties keep this order.
    .orderBy(contentVersions.publishedAt, sql`content_versions.rowid`);
  // Bounded: one entry per workspace and kind; a server with very many workspaces starts afresh.
  if (byWorkspace.size > 30_000) byWorkspace.clear();
  // Shared by every request from now on: frozen, so that no caller can change what the next one sees.
  byWorkspace.set(key, { revision, rows: deepFreeze(rows) });
  return rows as Published<C>[];
}

/** Parsed published content per database (so per app), per workspace and kind, with its revision. */
const publishedCache = new WeakMap<Database, Map<string, { revision: number; rows: unknown[] }>>();

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** The statement every publish and archive commits with: delivery's cached copies are then stale. */
export function bumpContentRevision(workspaceId: string): InStatement {
  return {
    sql: 'UPDATE workspaces SET content_revision = content_revision + 1 WHERE id = ?',
    args: [workspaceId],
  };
}

/** The drafts of active content of one kind: what may still be published. */
export async function activeDrafts<C>(
  db: Database,
  workspaceId: string,
  kind: ContentKind,
): Promise<Array<{ id: string; name: string; draft: C }>> {
  const rows = await db.read
    .select({ id: contents.id, name: contents.name, draft: contents.draft })
    .from(contents)
    .where(
      and(eq(contents.workspaceId, workspaceId), eq(contents.kind, kind), eq(contents.status, 'active')),
    );
  return rows as Array<{ id: string; name: string; draft: C }>;
}
