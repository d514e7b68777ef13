/**
 * Two versions of a piece of content compared field by field, in words: what the builder's version
 * history shows. Parts with ids (a checklist's items) are matched by id, not by place, so moving an
 * item reads as a new order rather than as every field of two items changed.
 */

export interface FieldChange {
  /** Where, in words: "Item send_invoice › Completion › Event". */
  field: string;
  /** The value before, in words; null where the field was not there. */
  before: string | null;
  after: string | null;
}

/** Words for the keys of content schemas; any other key (a language tag, an item id) is shown as it is. */
const words: Record<string, string> = {
  title: 'Title',
  description: 'Description',
  scope: 'Who completes it',
  items: 'Item',
  audience: 'Audience',
  match: 'Match',
  conditions: 'Condition',
  urls: 'Shown on URL',
  excludeUrls: 'Not shown on URL',
  display: 'Display',
  position: 'Position',
  openOnFirstView: 'Open on first view',
  dismissible: 'Can be dismissed',
  priority: 'Priority',
  locale: 'Language',
  translations: 'Translation',
  completion: 'Completion',
  action: 'Action',
  required: 'Required',
  kind: 'Kind',
  event: 'Event',
  where: 'Property filter',
  count: 'Times',
  withinDays: 'Within days of first seen',
  milestone: 'Milestone',
  url: 'URL',
  pattern: 'Pattern',
  withQuery: 'With query string',
  newTab: 'New tab',
  contentId: 'Tour or spotlight',
  name: 'Name',
  on: 'On',
  trait: 'Trait',
  property: 'Property',
  op: 'Operator',
  value: 'Value',
  id: 'Id',
};
const label = (key: string) => words[key] ?? key;

const hasId = (value: unknown): value is { id: string } =>
  typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string';

const show = (value: unknown): string =>
  typeof value === 'string'
    ? value === ''
      ? '(empty)'
      : value
    : typeof value === 'boolean'
      ? value
        ? 'yes'
        : 'no'
      : JSON.stringify(value);

/** Every leaf of `value` by its path in words; lists of parts with ids keyed by id, with their order. */
function flatten(value: unknown, at: string, out: Map<string, string>) {
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every(hasId)) {
      out.set(`${at} order`, value.map((part) => part.id).join(', '));
      for (const part of value) flatten(part, `${at} ${part.id}`, out);
    } else if (value.length === 0) out.set(at, '(none)');
    else for (const [index, part] of value.entries()) flatten(part, `${at} ${index + 1}`, out);
    return;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) out.set(at, '(none)');
    for (const [key, child] of entries) flatten(child, at ? `${at} › ${label(key)}` : label(key), out);
    return;
  }
  out.set(at, show(value));
}

/**
 * What changed from `before` to `after`, field by field, in the order the fields come in `after`
 * (then those only `before` had).
 *
 * @example
 * diffContent({ title: 'A', items: [] }, { title: 'B', items: [] })
 * // [{ field: 'Title', before: 'A', after: 'B' }]
 */
export function diffContent(before: unknown, after: unknown): FieldChange[] {
  const [a, b] = [new Map<string, string>(), new Map<string, string>()];
  flatten(before, '', a);
  flatten(after, '', b);
  const changes: FieldChange[] = [];
  for (const [field, value] of b) {
    const old = a.get(field) ?? null;
    if (old !== value) changes.push({ field, before: old, after: value });
  }
  for (const [field, value] of a) if (!b.has(field)) changes.push({ field, before: value, after: null });
  return changes;
}
