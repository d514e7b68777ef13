import type { z } from 'zod';
import { toPointer } from '../../shared/problem.ts';
import {
  type ChecklistContentInput,
  type ChecklistDraftInput,
  checklistDraftInput,
} from '../../shared/schemas/checklist.ts';

/**
 * The checklist builder's form, apart from what draws it: a new checklist's defaults, the checks
 * the server makes (the same zod schema, `checklistDraftInput`), and moving items. Errors are keyed
 * by the JSON pointer the server's problem+json uses (`/content/items/0/title`), so an error found
 * here and one the server answered land at the same field.
 */

export type ItemInput = ChecklistContentInput['items'][number];

/** Field errors by JSON pointer into `{ name, content }`. */
export type FieldErrors = Readonly<Record<string, string>>;

/** An item id not used by `items`: `step_1`, `step_2`... */
export function freshItemId(items: ReadonlyArray<{ id: string }>): string {
  const taken = new Set(items.map((item) => item.id));
  for (let n = items.length + 1; ; n++) if (!taken.has(`step_${n}`)) return `step_${n}`;
}

/** An item as the builder adds it: ticked by hand, required, to be renamed. */
export const newItem = (items: ReadonlyArray<{ id: string }>): ItemInput => ({
  id: freshItemId(items),
  title: `Step ${items.length + 1}`,
  description: '',
  completion: { kind: 'manual' },
  required: true,
});

/**
 * What a new checklist starts as: valid as it is (one required item, ticked by hand), so it can be
 * saved the moment it is created; every optional field spelled out at the schema's default, so the
 * form shows what the server would store.
 */
export function newChecklist(): ChecklistDraftInput {
  return {
    name: 'New checklist',
    content: {
      title: 'Get started',
      description: '',
      scope: 'user',
      items: [newItem([])],
      audience: { match: 'all', conditions: [], urls: [], excludeUrls: [] },
      display: { position: 'bottom-right', openOnFirstView: true, dismissible: true },
      priority: 0,
      locale: 'en',
      translations: {},
    },
  };
}

/** zod's issues as field errors: the first message at each field. */
export function issuesByPointer(issues: readonly z.core.$ZodIssue[]): FieldErrors {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const pointer = toPointer(issue.path);
    errors[pointer] ??= issue.message;
  }
  return errors;
}

/** Checks a draft as the server will (the same schema): its field errors, none when it is valid. */
export function validateDraft(draft: ChecklistDraftInput): FieldErrors {
  const result = checklistDraftInput.safeParse(draft);
  return result.success ? {} : issuesByPointer(result.error.issues);
}

/** A problem+json's field errors, by pointer (the first one at each field). */
export function problemErrors(errors: ReadonlyArray<{ pointer: string; detail: string }> | undefined) {
  const out: Record<string, string> = {};
  for (const e of errors ?? []) out[e.pointer] ??= e.detail;
  return out;
}

/** `list` with the element at `from` moved to `to` (both clamped into the list). */
export function move<T>(list: readonly T[], from: number, to: number): T[] {
  const next = [...list];
  const target = Math.max(0, Math.min(list.length - 1, to));
  const [moved] = next.splice(from, 1);
  if (moved === undefined) return next;
  next.splice(target, 0, moved);
  return next;
}

/**
 * The errors at `pointer` and below it, for a part of the form that lists them together (an item
 * whose completion rule failed where no single input shows it).
 */
export const errorsUnder = (errors: FieldErrors, pointer: string) =>
  Object.entries(errors).filter(([at]) => at === pointer || at.startsWith(`${pointer}/`));
