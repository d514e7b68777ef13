import { z } from 'zod';
import { storedText } from './stored-text.ts';

/**
 * Authored content (checklists, surveys, spotlights and tours) shares one life cycle: a draft that
 * authors edit freely, and immutable published versions that end users see. These build the admin
 * API's shapes for one kind of content from the schema of its content.
 */

export const contentKinds = ['checklist', 'survey', 'spotlight'] as const;
export type ContentKind = (typeof contentKinds)[number];

/** Text fields: trimmed, bounded. */
export const text = (max: number) => z.string().trim().max(max);

/** BCP 47 tags such as `fr` or `pt-BR`. */
export const locale = z
  .string()
  .regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, 'must be a language tag like fr or pt-BR');

/**
 * Checks that the parts of a piece of content (checklist items, tour steps) have distinct ids, and
 * that its translations name only those ids: `translated` gives each translation's ids and where
 * they sit. Adds an issue per problem; returns the ids.
 */
export function checkParts(
  ctx: z.RefinementCtx,
  parts: { at: string; noun: string; of: string; items: ReadonlyArray<{ id: string }> },
  translated: ReadonlyArray<{ ids: readonly string[]; path: ReadonlyArray<string | number> }>,
): Set<string> {
  const ids = new Set<string>();
  parts.items.forEach((item, index) => {
    if (ids.has(item.id))
      ctx.addIssue({
        code: 'custom',
        path: [parts.at, index, 'id'],
        message: `duplicates ${parts.noun} id "${item.id}"`,
      });
    ids.add(item.id);
  });
  for (const { ids: named, path } of translated) {
    for (const id of named) {
      if (!ids.has(id))
        ctx.addIssue({
          code: 'custom',
          path: [...path, id],
          message: `names no ${parts.noun} of this ${parts.of}`,
        });
    }
  }
  return ids;
}

/** Creating or editing: a name for the authors and the draft content. */
export const draftInput = <C extends z.ZodType>(content: C) =>
  // The name is stored as SQL text (the content as JSON, which escapes NUL): see storedText.
  z.object({ name: storedText(text(120).min(1, 'must not be empty')), content });

/** One piece of content as the admin API returns it. */
export const contentRecord = <C extends z.ZodType>(content: C) =>
  z.object({
    id: z.string(),
    name: z.string(),
    status: z.enum(['active', 'archived']),
    draft: content,
    draftUpdatedAt: z.iso.datetime(),
    /** The version end users see; null until first published. */
    publishedVersion: z.number().int().nullable(),
    /** True when the draft differs from the published version. */
    hasUnpublishedChanges: z.boolean(),
    createdAt: z.iso.datetime(),
  });

/** A published version: written once, never changed. */
export const contentVersion = <C extends z.ZodType>(content: C) =>
  z.object({
    contentId: z.string(),
    version: z.number().int(),
    content,
    publishedAt: z.iso.datetime(),
  });

export interface ContentRecord<C> {
  id: string;
  name: string;
  status: 'active' | 'archived';
  draft: C;
  draftUpdatedAt: string;
  publishedVersion: number | null;
  hasUnpublishedChanges: boolean;
  createdAt: string;
}

export interface ContentVersion<C> {
  contentId: string;
  version: number;
  content: C;
  publishedAt: string;
}
