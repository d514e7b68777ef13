import type { InStatement } from '@libsql/client';
import { and, desc, eq, isNotNull, sql } from 'drizzle-orm';
import { nanoid } from 'nanoid';
import type { z } from 'zod';
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

/**
 * One kind's stored content: its `contents.kind` and the schema its drafts and versions are read back
 * through (a kind record is one).
 */
export interface StoredKind<C> {
  kind: ContentKind;
  schema: z.ZodType<C>;
}

/**
 * Stored content read back through its kind's schema rather than cast: what was valid when saved
 * parses again (delivery parses once per content revision). A rule added since it was saved (a
 * refinement, such as the regex hazard check on URL rules) does not hide it: its shape was checked
 * and delivery neutralizes what those rules guard against. Content whose shape no longer matches
 * fails loudly, naming the content and the field.
 */
export function parseStored<C>(schema: z.ZodType<C>, value: unknown, what: string): C {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const { issues } = parsed.error;
  // Only refinements failed (zod reports them as `custom`): every type and required field held.
  if (issues.every((issue) => issue.code === 'custom')) return value as C;
  const issue = issues.find((candidate) => candidate.code !== 'custom');
  throw new Error(
    `${what} no longer matches its schema at /${issue?.path.join('/') ?? ''}: ${issue?.message ?? 'invalid'}`,
  );
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
 * const surveys = new VersionedContent(db, { kind: 'survey', schema: surveyContent }, { label: 'Survey', idPrefix: 'sv' }, clock)
 * const { id } = await surveys.create(workspaceId, { name: 'NPS', content })
 * await surveys.publish(workspaceId, id)
 */
export class VersionedContent<C> {
  constructor(
    private readonly db: Database,
    private readonly stored: StoredKind<C>,
    private readonly names: { label: string; idPrefix: string },
    private readonly clock: () => number,
    private readonly hooks: ContentHooks<C> = {},
  ) {}

  get kind(): ContentKind {
    return this.stored.kind;
  }

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
    return activeDrafts(this.db, workspaceId, this.stored);
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
    const draft = this.#parse(row.draft, row.id, 'draft');
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
    return rows.map((row) => this.#presentVersion(row));
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
    return this.#presentVersion(row);
  }

  /** What end users may see now: each active item's published version. */
  published(workspaceId: string): Promise<Published<C>[]> {
    return publishedContent(this.db, workspaceId, this.stored);
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
      draft: this.#parse(row.draft, row.id, 'draft'),
      draftUpdatedAt: new Date(row.draftUpdatedAt).toISOString(),
      publishedVersion: row.publishedVersion,
      hasUnpublishedChanges:
        published === null || JSON.stringify(published.content) !== JSON.stringify(row.draft),
      createdAt: new Date(row.createdAt).toISOString(),
    };
  }

  #parse(value: unknown, id: string, what: string): C {
    return parseStored(this.stored.schema, value, `${this.names.label} ${id}'s ${what}`);
  }

  #presentVersion(row: typeof contentVersions.$inferSelect): ContentVersion<C> {
    return {
      contentId: row.contentId,
      version: row.version,
      content: this.#parse(row.content, row.contentId, `version ${row.version}`),
      publishedAt: new Date(row.publishedAt).toISOString(),
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

/**
 * What end users of a workspace may see now: each active item's published version, of one kind,
 * in the order they were published (that version's publication).
 */
export async function publishedContent<C>(
  db: Database,
  workspaceId: string,
  stored: StoredKind<C>,
): Promise<Published<C>[]> {
  const [workspace] = await contentRevision(db, workspaceId);
  return publishedContentAt(db, workspaceId, stored, workspace?.revision ?? -1);
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
  { kind, schema }: StoredKind<C>,
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
  // A version that no longer parses is shown to nobody (and logged once per revision) rather than
  // failing every page view of the workspace.
  const parsed: Published<C>[] = [];
  for (const row of rows) {
    try {
      parsed.push({
        ...row,
        content: parseStored(schema, row.content, `${kind} ${row.id} version ${row.version}`),
      });
    } catch (error) {
      console.error(`waymark: not delivered: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  // Shared by every request from now on: frozen, so that no caller can change what the next one sees.
  byWorkspace.set(key, { revision, rows: deepFreeze(parsed) });
  return parsed;
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
  { kind, schema }: StoredKind<C>,
): Promise<Array<{ id: string; name: string; draft: C }>> {
  const rows = await db.read
    .select({ id: contents.id, name: contents.name, draft: contents.draft })
    .from(contents)
    .where(
      and(eq(contents.workspaceId, workspaceId), eq(contents.kind, kind), eq(contents.status, 'active')),
    );
  return rows.map((row) => ({ ...row, draft: parseStored(schema, row.draft, `${kind} ${row.id}'s draft`) }));
}
