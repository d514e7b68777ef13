import { useEffect, useState } from 'preact/hooks';
import type { ChecklistContentInput } from '../../../shared/schemas/checklist.ts';
import { type ItemInput, move, newItem } from '../checklist-form.ts';
import { PropertyFilters, UrlRuleFields } from './builder-conditions.tsx';
import {
  CheckField,
  fieldId,
  Group,
  NumberField,
  PartError,
  SelectField,
  TextField,
} from './builder-fields.tsx';

type Completion = ItemInput['completion'];
type Action = NonNullable<ItemInput['action']>;

/** Something the item may point at: a milestone (by key) or a tour or spotlight (by id). */
export interface Choice {
  value: string;
  label: string;
}

const completionKinds: ReadonlyArray<readonly [Completion['kind'], string]> = [
  ['manual', 'The user ticks it'],
  ['event', 'An event is tracked'],
  ['url', 'A page is visited'],
  ['milestone', 'A milestone is reached'],
];

function completionOf(kind: Completion['kind'], milestones: readonly Choice[]): Completion {
  switch (kind) {
    case 'manual':
      return { kind };
    case 'event':
      return { kind, event: '', where: [], count: 1 };
    case 'url':
      return { kind, url: { match: 'prefix', pattern: '/', withQuery: false } };
    case 'milestone':
      return { kind, milestone: milestones[0]?.value ?? '' };
  }
}

type ActionKind = Action['kind'] | 'none';
const actionKinds: ReadonlyArray<readonly [ActionKind, string]> = [
  ['none', 'Nothing (the item is text only)'],
  ['url', 'Opens a page'],
  ['spotlight', 'Starts a tour or spotlight'],
  ['callback', 'Calls a function of your app'],
];

function actionOf(kind: ActionKind, spotlights: readonly Choice[]): Action | undefined {
  switch (kind) {
    case 'none':
      return undefined;
    case 'url':
      return { kind, url: '/', newTab: false };
    case 'spotlight':
      return { kind, contentId: spotlights[0]?.value ?? '' };
    case 'callback':
      return { kind, name: '' };
  }
}

/** A select of known choices, or a text field when there are none to choose from. */
function ChoiceField({
  label,
  at,
  value,
  choices,
  onChange,
  none,
}: {
  label: string;
  at: string;
  value: string;
  choices: readonly Choice[];
  onChange(value: string): void;
  none: string;
}) {
  if (choices.length === 0)
    return <TextField label={label} at={at} hint={none} value={value} onInput={onChange} />;
  const known = choices.some((c) => c.value === value);
  const options = [
    ...(known ? [] : [[value, value === '' ? 'Choose…' : `${value} (not found)`] as const]),
    ...choices.map((c) => [c.value, c.label] as const),
  ];
  return <SelectField label={label} at={at} value={value} options={options} onChange={onChange} />;
}

function CompletionFields({
  at,
  completion,
  onChange,
  milestones,
}: {
  at: string;
  completion: Completion;
  onChange(next: Completion): void;
  milestones: readonly Choice[];
}) {
  return (
    <Group legend="Done when">
      <SelectField
        label="It is done when"
        at={`${at}/kind`}
        value={completion.kind}
        options={completionKinds}
        onChange={(kind) => onChange(completionOf(kind, milestones))}
      />
      {completion.kind === 'event' && (
        <>
          <TextField
            label="Event name"
            at={`${at}/event`}
            value={completion.event}
            placeholder="Invoice Sent"
            hint="As your app sends it with waymark.track()"
            onInput={(event) => onChange({ ...completion, event })}
          />
          <NumberField
            label="Times"
            at={`${at}/count`}
            min={1}
            value={completion.count}
            onInput={(count) => onChange({ ...completion, count })}
          />
          <NumberField
            label="Within days of first seen (optional)"
            at={`${at}/withinDays`}
            min={1}
            value={completion.withinDays}
            onInput={(withinDays) => {
              const { withinDays: _, ...rest } = completion;
              onChange(withinDays === undefined ? rest : { ...rest, withinDays });
            }}
          />
          <PropertyFilters
            at={`${at}/where`}
            filters={completion.where ?? []}
            onChange={(where) => onChange({ ...completion, where })}
          />
        </>
      )}
      {completion.kind === 'url' && (
        <UrlRuleFields
          at={`${at}/url`}
          rule={completion.url}
          regex={false}
          onChange={(url) => onChange({ ...completion, url })}
        />
      )}
      {completion.kind === 'milestone' && (
        <ChoiceField
          label="Milestone"
          at={`${at}/milestone`}
          value={completion.milestone}
          choices={milestones}
          none="The key of a milestone (this workspace has none yet)"
          onChange={(milestone) => onChange({ ...completion, milestone })}
        />
      )}
    </Group>
  );
}

function ActionFields({
  at,
  action,
  onChange,
  spotlights,
}: {
  at: string;
  action: Action | undefined;
  onChange(next: Action | undefined): void;
  spotlights: readonly Choice[];
}) {
  return (
    <Group legend="On click">
      <SelectField
        label="Clicking it"
        at={`${at}/kind`}
        value={action?.kind ?? 'none'}
        options={actionKinds}
        onChange={(kind) => onChange(actionOf(kind, spotlights))}
      />
      {action?.kind === 'url' && (
        <>
          <TextField
            label="Page"
            at={`${at}/url`}
            value={action.url}
            hint="A path starting with / or an http(s) URL"
            onInput={(url) => onChange({ ...action, url })}
          />
          <CheckField
            label="Open in a new tab"
            at={`${at}/newTab`}
            checked={action.newTab ?? false}
            onChange={(newTab) => onChange({ ...action, newTab })}
          />
        </>
      )}
      {action?.kind === 'spotlight' && (
        <ChoiceField
          label="Tour or spotlight"
          at={`${at}/contentId`}
          value={action.contentId}
          choices={spotlights}
          none="Its id (this workspace has none yet)"
          onChange={(contentId) => onChange({ ...action, contentId })}
        />
      )}
      {action?.kind === 'callback' && (
        <TextField
          label="Function name"
          at={`${at}/name`}
          value={action.name}
          hint="Registered by your app with waymark.on()"
          onInput={(name) => onChange({ ...action, name })}
        />
      )}
    </Group>
  );
}

/** The index of the item card at a point of the screen (its `data-index`), if any. */
function cardAt(x: number, y: number): number | null {
  const card = document.elementFromPoint(x, y)?.closest<HTMLElement>('.item-card');
  const index = Number(card?.dataset.index);
  return card && Number.isInteger(index) ? index : null;
}

/**
 * A checklist's items: each one's fields, added and removed, and put in order by dragging its
 * handle or, from the keyboard, with its "Move up" and "Move down" buttons; each move is announced
 * (a polite live region) and the focus stays on the button that moved it.
 */
export function ChecklistItems({
  at,
  items,
  keys,
  onChange,
  milestones,
  spotlights,
}: {
  at: string;
  items: ChecklistContentInput['items'];
  /** A stable key per item (its id may be edited), in the same order. */
  keys: readonly number[];
  onChange(items: ItemInput[], keys: number[]): void;
  milestones: readonly Choice[];
  spotlights: readonly Choice[];
}) {
  const [announcement, setAnnouncement] = useState('');
  const [focus, setFocus] = useState<string | null>(null);
  const [dragged, setDragged] = useState<number | null>(null);
  const [over, setOver] = useState<number | null>(null);
  useEffect(() => {
    if (!focus) return;
    document.getElementById(focus)?.focus();
    setFocus(null);
  }, [focus]);

  const set = (index: number, item: ItemInput) =>
    onChange(
      items.map((old, i) => (i === index ? item : old)),
      [...keys],
    );
  const titleOf = (item: ItemInput | undefined) => item?.title || item?.id || 'item';
  const reorder = (from: number, to: number, by: 'up' | 'down' | 'drag') => {
    if (to < 0 || to >= items.length || to === from) return;
    const key = keys[from];
    onChange(move(items, from, to), move(keys, from, to));
    setAnnouncement(`Moved “${titleOf(items[from])}” to position ${to + 1} of ${items.length}.`);
    if (by === 'drag' || key === undefined) return;
    // At an end its button is disabled: the focus goes to the other one.
    const direction = by === 'up' ? (to === 0 ? 'down' : 'up') : to === items.length - 1 ? 'up' : 'down';
    setFocus(`move-${key}-${direction}`);
  };
  const nextKey = () => Math.max(0, ...keys) + 1;

  return (
    <div class="items">
      <PartError at={at} />
      <p class="visually-hidden" aria-live="polite">
        {announcement}
      </p>
      <ol class="item-list">
        {items.map((item, index) => {
          const key = keys[index] ?? index;
          const here = `${at}/${index}`;
          return (
            <li
              key={key}
              class={`item-card${dragged === index ? ' dragging' : ''}${over === index && dragged !== index ? ' drop-here' : ''}`}
              data-index={index}
            >
              <div class="item-head">
                {/* Dragging is for the pointer; the buttons beside it do the same from the keyboard. */}
                <span
                  class="drag-handle"
                  title="Drag to reorder"
                  aria-hidden="true"
                  data-testid={`drag-${index}`}
                  // Pointer events, not HTML drag and drop: one code path for mouse, pen and touch.
                  onPointerDown={(e) => {
                    if (e.button !== 0) return;
                    e.preventDefault();
                    e.currentTarget.setPointerCapture(e.pointerId);
                    setDragged(index);
                    setOver(index);
                  }}
                  onPointerMove={(e) => {
                    if (dragged === null) return;
                    const at = cardAt(e.clientX, e.clientY);
                    if (at !== null) setOver(at);
                  }}
                  onPointerUp={(e) => {
                    const at = cardAt(e.clientX, e.clientY) ?? over;
                    if (dragged !== null && at !== null) reorder(dragged, at, 'drag');
                    setDragged(null);
                    setOver(null);
                  }}
                  onPointerCancel={() => {
                    setDragged(null);
                    setOver(null);
                  }}
                >
                  ⠿
                </span>
                <h3 class="item-title">
                  Item {index + 1}: {titleOf(item)}
                </h3>
                <div class="item-tools">
                  <button
                    type="button"
                    id={`move-${key}-up`}
                    aria-label={`Move “${titleOf(item)}” up`}
                    disabled={index === 0}
                    onClick={() => reorder(index, index - 1, 'up')}
                  >
                    <span aria-hidden="true">↑</span> Up
                  </button>
                  <button
                    type="button"
                    id={`move-${key}-down`}
                    aria-label={`Move “${titleOf(item)}” down`}
                    disabled={index === items.length - 1}
                    onClick={() => reorder(index, index + 1, 'down')}
                  >
                    <span aria-hidden="true">↓</span> Down
                  </button>
                  <button
                    type="button"
                    aria-label={`Remove “${titleOf(item)}”`}
                    onClick={() => {
                      onChange(
                        items.filter((_, i) => i !== index),
                        keys.filter((_, i) => i !== index),
                      );
                      setAnnouncement(`Removed “${titleOf(item)}”. ${items.length - 1} items left.`);
                    }}
                  >
                    Remove
                  </button>
                </div>
              </div>
              <div class="item-fields">
                <TextField
                  label="Title"
                  at={`${here}/title`}
                  value={item.title}
                  onInput={(title) => set(index, { ...item, title })}
                />
                <TextField
                  label="Id"
                  at={`${here}/id`}
                  value={item.id}
                  hint="Lowercase letters, digits, _ and -; keep it once published (progress is kept by id)"
                  onInput={(id) => set(index, { ...item, id })}
                />
                <TextField
                  label="Description"
                  at={`${here}/description`}
                  multiline
                  value={item.description ?? ''}
                  hint="Plain text, **bold**, *italic*, `code` and [links](https://…)"
                  onInput={(description) => set(index, { ...item, description })}
                />
                <CheckField
                  label="Required (counts toward completing the checklist)"
                  at={`${here}/required`}
                  checked={item.required ?? true}
                  onChange={(required) => set(index, { ...item, required })}
                />
                <CompletionFields
                  at={`${here}/completion`}
                  completion={item.completion}
                  milestones={milestones}
                  onChange={(completion) => set(index, { ...item, completion })}
                />
                <ActionFields
                  at={`${here}/action`}
                  action={item.action}
                  spotlights={spotlights}
                  onChange={(action) => {
                    const { action: _, ...rest } = item;
                    set(index, action ? { ...rest, action } : rest);
                  }}
                />
              </div>
            </li>
          );
        })}
      </ol>
      <button
        type="button"
        disabled={items.length >= 20}
        onClick={() => {
          const item = newItem(items);
          onChange([...items, item], [...keys, nextKey()]);
          setAnnouncement(`Added “${item.title}”, item ${items.length + 1}.`);
          setFocus(fieldId(`${at}/${items.length}/title`));
        }}
      >
        Add an item
      </button>
      {items.length >= 20 && <span class="hint"> A checklist has at most 20 items.</span>}
    </div>
  );
}
