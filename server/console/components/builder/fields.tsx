import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { z } from 'zod';
import { toPointer } from '../../../../shared/problem.ts';
import type { Audience, Comparison, TraitCondition, UrlRule } from '../../../../shared/schemas/condition.ts';
import { operators } from '../../../../shared/schemas/condition.ts';
import type { ContentRecord } from '../../../../shared/schemas/versioned.ts';
import { ApiFailure } from '../../api.ts';
import { dateTime } from '../../format.ts';

/**
 * The form parts the content builders share (README, "Console", authoring): labelled fields that
 * carry their error (`aria-invalid`, `aria-describedby`), errors keyed by the JSON pointer the
 * server's problem+json uses, audience and URL rules, version history with a field-by-field diff,
 * and the preview link. Errors from the shared zod schema (as the author types) and from the server
 * (after a save) land at the same field because both are keyed by pointer into `{name, content}`.
 */

/** Problems by JSON pointer into the request body (`/content/sampling/rate`). */
export type FieldErrors = Readonly<Record<string, string>>;

/** The id of the control for a pointer: stable, so an error summary can link to it. */
export const fieldId = (pointer: string) => `field${pointer.replace(/[^a-zA-Z0-9]+/g, '-')}`;

/** zod's message, said as the rest of the console says things ("must be at most 300 characters"). */
function messageOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') return issue.expected === 'number' ? 'must be a number' : 'is required';
  if (issue.code === 'too_big' && issue.message.startsWith('Too big')) {
    const unit = issue.origin === 'string' ? ' characters' : issue.origin === 'array' ? ' entries' : '';
    return `must be at most ${String(issue.maximum)}${unit}`;
  }
  if (issue.code === 'too_small' && issue.message.startsWith('Too small')) {
    const unit = issue.origin === 'string' ? ' characters' : issue.origin === 'array' ? ' entries' : '';
    return `must be at least ${String(issue.minimum)}${unit}`;
  }
  return issue.message;
}

/** A zod error as field errors: the first problem of each field. */
export function zodErrors(error: z.ZodError | undefined): FieldErrors {
  const errors: Record<string, string> = {};
  for (const issue of error?.issues ?? []) {
    const pointer = toPointer(issue.path);
    errors[pointer] ??= messageOf(issue);
  }
  return errors;
}

/**
 * A failed save as field errors and a sentence for the rest. Pointers of `/draft/...` (a body sent
 * in a GET's shape) are read as `/content/...`.
 */
export function serverErrors(error: unknown): { fields: FieldErrors; message: string } {
  if (!(error instanceof ApiFailure))
    return { fields: {}, message: error instanceof Error ? error.message : String(error) };
  const fields: Record<string, string> = {};
  for (const e of error.problem?.errors ?? [])
    fields[e.pointer.replace(/^\/draft(?=\/|$)/, '/content')] ??= e.detail;
  const hint =
    error.status === 403 ? ' Your role in this workspace does not allow this: ask an owner or admin.' : '';
  return { fields, message: `${error.message}${hint}` };
}

/** Words for a pointer: `/content/steps/0/anchor/selector` → "Steps 1 › anchor › selector". */
export function pointerWords(pointer: string): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .filter((part, index) => !(index === 0 && part === 'content'))
    .map((part) =>
      /^\d+$/.test(part) ? String(Number(part) + 1) : part.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase(),
    );
  const text = parts.join(' › ').replace(/ › (\d+)/g, ' $1');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

interface FieldProps {
  label: ComponentChildren;
  /** Where the field sits in `{name, content}`: its errors are looked up by this pointer. */
  pointer: string;
  errors: FieldErrors;
  /** Further pointers whose problems belong here (a step's `/anchor` at its selector). */
  alsoErrors?: readonly string[];
  hint?: ComponentChildren;
  disabled?: boolean;
}

/** The error of a field and the ids its control describes itself with. */
function described(props: FieldProps) {
  const id = fieldId(props.pointer);
  const error = [props.pointer, ...(props.alsoErrors ?? [])]
    .map((p) => props.errors[p])
    .find((e) => e !== undefined);
  const ids = [props.hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return {
    id,
    error,
    aria: {
      id,
      'aria-invalid': error ? ('true' as const) : undefined,
      'aria-describedby': ids || undefined,
    },
  };
}

function FieldShell({
  props,
  id,
  error,
  children,
  inline,
}: {
  props: FieldProps;
  id: string;
  error: string | undefined;
  children: ComponentChildren;
  inline?: boolean;
}) {
  return (
    <div class={`field${inline ? ' field-inline' : ''}${error ? ' field-invalid' : ''}`}>
      {inline ? (
        <label for={id}>
          {children}
          <span>{props.label}</span>
        </label>
      ) : (
        <>
          <label for={id}>{props.label}</label>
          {children}
        </>
      )}
      {props.hint && (
        <p class="field-hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      )}
      {error && (
        <p class="field-error" id={`${id}-error`}>
          {pointerWords(props.pointer)} {error}
        </p>
      )}
    </div>
  );
}

/** A line (or several) of text. An empty field is `undefined` when `optional`, else `''`. */
export function TextField(
  props: FieldProps & {
    value: string | undefined;
    onInput(value: string): void;
    placeholder?: string;
    multiline?: boolean;
    maxLength?: number;
    type?: 'text' | 'url';
    /** Called with the control, for a button beside it (the element picker). */
    after?: ComponentChildren;
  },
) {
  const { id, error, aria } = described(props);
  const common = {
    ...aria,
    value: props.value ?? '',
    placeholder: props.placeholder,
    disabled: props.disabled,
    maxLength: props.maxLength,
  };
  const input = (
    <input
      type="text"
      inputMode={props.type === 'url' ? 'url' : 'text'}
      {...common}
      onInput={(e) => props.onInput(e.currentTarget.value)}
    />
  );
  return (
    <FieldShell props={props} id={id} error={error}>
      {props.multiline ? (
        <textarea rows={3} {...common} onInput={(e) => props.onInput(e.currentTarget.value)} />
      ) : props.after ? (
        <span class="field-with-button">
          {input}
          {props.after}
        </span>
      ) : (
        input
      )}
    </FieldShell>
  );
}

/** A whole or decimal number; an empty or unreadable field is `NaN`, which the schema refuses by name. */
export function NumberField(
  props: FieldProps & {
    value: number | undefined;
    onInput(value: number): void;
    min?: number;
    max?: number;
    step?: number;
  },
) {
  const { id, error, aria } = described(props);
  return (
    <FieldShell props={props} id={id} error={error}>
      <input
        type="number"
        inputMode={props.step !== undefined && props.step < 1 ? 'decimal' : 'numeric'}
        {...aria}
        value={props.value === undefined || Number.isNaN(props.value) ? '' : String(props.value)}
        min={props.min}
        max={props.max}
        step={props.step ?? 1}
        disabled={props.disabled}
        onInput={(e) => {
          const text = e.currentTarget.value.trim();
          props.onInput(text === '' ? Number.NaN : Number(text));
        }}
      />
    </FieldShell>
  );
}

/** One of a few values, each with words. */
export function SelectField<V extends string>(
  props: FieldProps & {
    value: V;
    options: ReadonlyArray<readonly [V, string]>;
    onChange(value: V): void;
  },
) {
  const { id, error, aria } = described(props);
  return (
    <FieldShell props={props} id={id} error={error}>
      <select
        {...aria}
        value={props.value}
        disabled={props.disabled}
        onChange={(e) => {
          const chosen = props.options.find(([v]) => v === e.currentTarget.value);
          if (chosen) props.onChange(chosen[0]);
        }}
      >
        {props.options.map(([value, words]) => (
          <option key={value} value={value}>
            {words}
          </option>
        ))}
      </select>
    </FieldShell>
  );
}

/** Yes or no. */
export function CheckField(props: FieldProps & { checked: boolean; onChange(checked: boolean): void }) {
  const { id, error, aria } = described(props);
  return (
    <FieldShell props={props} id={id} error={error} inline>
      <input
        type="checkbox"
        {...aria}
        checked={props.checked}
        disabled={props.disabled}
        onChange={(e) => props.onChange(e.currentTarget.checked)}
      />
    </FieldShell>
  );
}

/** Every problem in one list, each a link to its field: shown when a save is refused. */
export function ErrorSummary({ errors, title }: { errors: FieldErrors; title: string }) {
  const entries = Object.entries(errors);
  if (entries.length === 0) return null;
  return (
    <div class="state error" role="alert">
      <p>
        <strong>{title}</strong>
      </p>
      <ul>
        {entries.map(([pointer, message]) => (
          <li key={pointer}>
            <a href={`#${fieldId(pointer)}`}>
              {pointerWords(pointer)} {message}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

const matchWords: ReadonlyArray<readonly [UrlRule['match'], string]> = [
  ['exact', 'is exactly'],
  ['prefix', 'starts with'],
  ['glob', 'matches the pattern (* and **)'],
  ['regex', 'matches the regular expression'],
];

/** A new URL rule: pages under `/`. */
export const newUrlRule = (): UrlRule => ({ match: 'prefix', pattern: '/', withQuery: false });

/** One URL rule: how it matches, the pattern, and whether the query string counts. */
export function UrlRuleFields({
  rule,
  pointer,
  errors,
  disabled,
  onChange,
  label,
}: {
  rule: UrlRule;
  pointer: string;
  errors: FieldErrors;
  disabled?: boolean;
  onChange(rule: UrlRule): void;
  label: string;
}) {
  return (
    <div class="field-row">
      <SelectField
        label={`${label}: the path`}
        pointer={`${pointer}/match`}
        errors={errors}
        disabled={disabled}
        value={rule.match}
        options={matchWords}
        onChange={(match) => onChange({ ...rule, match })}
      />
      <TextField
        label={`${label}: pattern`}
        pointer={`${pointer}/pattern`}
        errors={errors}
        disabled={disabled}
        value={rule.pattern}
        placeholder="/invoices"
        onInput={(pattern) => onChange({ ...rule, pattern })}
      />
      <CheckField
        label="with the query string"
        pointer={`${pointer}/withQuery`}
        errors={errors}
        disabled={disabled}
        checked={rule.withQuery}
        onChange={(withQuery) => onChange({ ...rule, withQuery })}
      />
    </div>
  );
}

/** A list of URL rules: add, change, remove. */
function UrlRuleList({
  legend,
  noun,
  rules,
  pointer,
  errors,
  disabled,
  onChange,
  empty,
}: {
  legend: string;
  noun: string;
  rules: UrlRule[];
  pointer: string;
  errors: FieldErrors;
  disabled?: boolean;
  onChange(rules: UrlRule[]): void;
  empty: string;
}) {
  return (
    <fieldset class="builder-group">
      <legend>{legend}</legend>
      {rules.length === 0 && <p class="muted">{empty}</p>}
      {rules.map((rule, index) => (
        <div class="builder-item" key={`${pointer}-${index}`}>
          <UrlRuleFields
            label={`${noun} ${index + 1}`}
            rule={rule}
            pointer={`${pointer}/${index}`}
            errors={errors}
            disabled={disabled}
            onChange={(next) => onChange(rules.map((r, i) => (i === index ? next : r)))}
          />
          <button
            type="button"
            disabled={disabled}
            onClick={() => onChange(rules.filter((_, i) => i !== index))}
          >
            Remove {noun.toLowerCase()} {index + 1}
          </button>
        </div>
      ))}
      <button type="button" disabled={disabled} onClick={() => onChange([...rules, newUrlRule()])}>
        Add {noun.toLowerCase()}
      </button>
    </fieldset>
  );
}

const operatorWords: Record<(typeof operators)[number], string> = {
  equals: 'equals',
  notEquals: 'does not equal',
  contains: 'contains',
  gt: 'is greater than',
  lt: 'is less than',
  before: 'is before',
  after: 'is after',
  exists: 'is set',
  notExists: 'is not set',
  in: 'is one of',
  notIn: 'is none of',
};

/** The comparison a condition gets when its operator changes: the value kept when it still fits. */
function comparisonFor(op: Comparison['op'], before: Comparison): Comparison {
  const text = 'value' in before && typeof before.value === 'string' ? before.value : '';
  switch (op) {
    case 'equals':
    case 'notEquals':
      return { op, value: text };
    case 'contains':
      return { op, value: text };
    case 'gt':
    case 'lt':
      return { op, value: 'value' in before && typeof before.value === 'number' ? before.value : 0 };
    case 'before':
    case 'after':
      return { op, value: { daysAgo: 30 } };
    case 'exists':
    case 'notExists':
      return { op };
    case 'in':
    case 'notIn':
      return { op, value: text ? [text] : [] };
  }
}

/** A date comparison's value as typed: a number of days ago, or a date. */
const dateValueText = (value: string | { daysAgo: number }) =>
  typeof value === 'string' ? value : String(value.daysAgo);
const dateValueOf = (text: string): string | { daysAgo: number } =>
  /^\d+$/.test(text.trim()) ? { daysAgo: Number(text.trim()) } : text.trim();
/** `true` and `false` as typed are the booleans a yes/no trait holds. */
const scalarOf = (text: string): string | boolean =>
  text === 'true' ? true : text === 'false' ? false : text;

/** The value input of a condition, shaped by its operator. */
function ConditionValue({
  condition,
  pointer,
  errors,
  disabled,
  onChange,
}: {
  condition: TraitCondition;
  pointer: string;
  errors: FieldErrors;
  disabled?: boolean;
  onChange(condition: TraitCondition): void;
}) {
  const at = `${pointer}/value`;
  const common = { pointer: at, errors, disabled };
  switch (condition.op) {
    case 'exists':
    case 'notExists':
      return null;
    case 'gt':
    case 'lt':
      return (
        <NumberField
          {...common}
          label="Value"
          step={0.01}
          value={condition.value}
          onInput={(value) => onChange({ ...condition, value })}
        />
      );
    case 'before':
    case 'after':
      return (
        <TextField
          {...common}
          label="Days ago, or a date"
          hint="30 means 30 days before the moment it is checked; or 2026-01-31"
          value={dateValueText(condition.value)}
          onInput={(text) => onChange({ ...condition, value: dateValueOf(text) })}
        />
      );
    case 'in':
    case 'notIn':
      return (
        <TextField
          {...common}
          label="Values, separated by commas"
          value={condition.value.map(String).join(', ')}
          onInput={(text) =>
            onChange({
              ...condition,
              value: text
                .split(',')
                .map((v) => v.trim())
                .filter(Boolean),
            })
          }
        />
      );
    case 'contains':
      return (
        <TextField
          {...common}
          label="Value"
          value={condition.value}
          onInput={(value) => onChange({ ...condition, value })}
        />
      );
    default:
      return (
        <TextField
          {...common}
          label="Value"
          hint="true or false for a yes/no trait"
          value={String(condition.value)}
          onInput={(text) => onChange({ ...condition, value: scalarOf(text) })}
        />
      );
  }
}

/**
 * Who sees the content: trait conditions on the user or their account (all or any of them), and the
 * pages it may show on or never shows on.
 */
export function AudienceFields({
  audience,
  pointer,
  errors,
  disabled,
  onChange,
}: {
  audience: Audience;
  pointer: string;
  errors: FieldErrors;
  disabled?: boolean;
  onChange(audience: Audience): void;
}) {
  const setCondition = (index: number, next: TraitCondition) =>
    onChange({ ...audience, conditions: audience.conditions.map((c, i) => (i === index ? next : c)) });
  return (
    <>
      <fieldset class="builder-group">
        <legend>Who: conditions on traits</legend>
        {audience.conditions.length === 0 ? (
          <p class="muted">No condition: everyone.</p>
        ) : (
          <SelectField
            label="People must meet"
            pointer={`${pointer}/match`}
            errors={errors}
            disabled={disabled}
            value={audience.match}
            options={[
              ['all', 'all of the conditions'],
              ['any', 'any of the conditions'],
            ]}
            onChange={(match) => onChange({ ...audience, match })}
          />
        )}
        {audience.conditions.map((condition, index) => {
          const at = `${pointer}/conditions/${index}`;
          return (
            <div class="builder-item" key={at}>
              <div class="field-row">
                <SelectField
                  label={`Condition ${index + 1}: trait of`}
                  pointer={`${at}/on`}
                  errors={errors}
                  disabled={disabled}
                  value={condition.on}
                  options={[
                    ['user', 'the user'],
                    ['account', 'their account'],
                  ]}
                  onChange={(on) => setCondition(index, { ...condition, on })}
                />
                <TextField
                  label="Trait"
                  pointer={`${at}/trait`}
                  errors={errors}
                  disabled={disabled}
                  value={condition.trait}
                  placeholder="plan"
                  onInput={(trait) => setCondition(index, { ...condition, trait })}
                />
                <SelectField
                  label="Comparison"
                  pointer={`${at}/op`}
                  errors={errors}
                  disabled={disabled}
                  value={condition.op}
                  options={operators.map((op) => [op, operatorWords[op]] as const)}
                  onChange={(op) =>
                    setCondition(index, {
                      on: condition.on,
                      trait: condition.trait,
                      ...comparisonFor(op, condition),
                    })
                  }
                />
                <ConditionValue
                  condition={condition}
                  pointer={at}
                  errors={errors}
                  disabled={disabled}
                  onChange={(next) => setCondition(index, next)}
                />
              </div>
              <button
                type="button"
                disabled={disabled}
                onClick={() =>
                  onChange({ ...audience, conditions: audience.conditions.filter((_, i) => i !== index) })
                }
              >
                Remove condition {index + 1}
              </button>
            </div>
          );
        })}
        <button
          type="button"
          disabled={disabled}
          onClick={() =>
            onChange({
              ...audience,
              conditions: [...audience.conditions, { on: 'user', trait: '', op: 'equals', value: '' }],
            })
          }
        >
          Add condition
        </button>
      </fieldset>
      <UrlRuleList
        legend="Where: pages it may show on"
        noun="Page rule"
        rules={audience.urls}
        pointer={`${pointer}/urls`}
        errors={errors}
        disabled={disabled}
        empty="No rule: any page."
        onChange={(urls) => onChange({ ...audience, urls })}
      />
      <UrlRuleList
        legend="Never on these pages"
        noun="Excluded page"
        rules={audience.excludeUrls}
        pointer={`${pointer}/excludeUrls`}
        errors={errors}
        disabled={disabled}
        empty="None excluded."
        onChange={(excludeUrls) => onChange({ ...audience, excludeUrls })}
      />
    </>
  );
}

/** A JSON value's leaves by pointer: `{a: {b: 1}}` → `{"/a/b": 1}`; an empty object or array is a leaf. */
function leaves(value: unknown, at = '', into = new Map<string, unknown>()): Map<string, unknown> {
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) into.set(at, value);
    for (const [key, inner] of entries) leaves(inner, `${at}/${key}`, into);
  } else if (value !== undefined) into.set(at, value);
  return into;
}

/** One difference between two contents: where, and the value on each side (undefined: absent). */
export interface Change {
  pointer: string;
  before: unknown;
  after: unknown;
}

/**
 * What differs between two contents, field by field, in the order the fields come.
 *
 * @example
 * diffContent({ sampling: { rate: 1 } }, { sampling: { rate: 0.5 } })
 * // [{ pointer: '/sampling/rate', before: 1, after: 0.5 }]
 */
export function diffContent(before: unknown, after: unknown): Change[] {
  const a = leaves(before);
  const b = leaves(after);
  // In the order of the newer side, then what only the older one had.
  const pointers = [...new Set([...b.keys(), ...a.keys()])];
  return pointers
    .filter((p) => JSON.stringify(a.get(p)) !== JSON.stringify(b.get(p)))
    .map((pointer) => ({ pointer, before: a.get(pointer), after: b.get(pointer) }));
}

const shown = (value: unknown) =>
  value === undefined ? '(none)' : typeof value === 'string' ? value : JSON.stringify(value);

/** A published version as the history lists it. */
export interface VersionEntry<C> {
  version: number;
  publishedAt: string;
  content: C;
}

/**
 * The published versions, newest first, and what changed between any two of them or the draft:
 * field by field, old and new side by side.
 */
export function VersionHistory<C>({
  versions,
  draft,
  describe,
}: {
  versions: ReadonlyArray<VersionEntry<C>>;
  draft: C;
  /** Words for a pointer of this kind's content. */
  describe?: (pointer: string) => string;
}) {
  const choices: ReadonlyArray<readonly [string, string]> = [
    ['draft', 'The draft (not published)'],
    ...versions.map((v) => [String(v.version), `Version ${v.version}, ${dateTime(v.publishedAt)}`] as const),
  ];
  const [from, setFrom] = useState(versions[1] ? String(versions[1].version) : (choices[1]?.[0] ?? 'draft'));
  const [to, setTo] = useState(versions[1] ? String(versions[0]?.version) : 'draft');
  // New versions (a publish): compare the newest two again.
  useEffect(() => {
    setFrom(versions[1] ? String(versions[1].version) : (choices[1]?.[0] ?? 'draft'));
    setTo(versions[1] ? String(versions[0]?.version) : 'draft');
  }, [versions.length]);
  const contentOf = (choice: string) =>
    choice === 'draft' ? draft : versions.find((v) => String(v.version) === choice)?.content;
  const changes = diffContent(contentOf(from), contentOf(to));
  const words = describe ?? ((p: string) => pointerWords(`/content${p}`));
  if (versions.length === 0) return <p class="muted">Not published yet: publish to start its history.</p>;
  return (
    <>
      <ol class="versions">
        {versions.map((v) => (
          <li key={v.version}>
            Version {v.version}, published {dateTime(v.publishedAt)}
          </li>
        ))}
      </ol>
      <div class="field-row">
        <div class="field">
          <label for="diff-from">Compare</label>
          <select id="diff-from" value={from} onChange={(e) => setFrom(e.currentTarget.value)}>
            {choices.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="diff-to">with</label>
          <select id="diff-to" value={to} onChange={(e) => setTo(e.currentTarget.value)}>
            {choices.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
      </div>
      {changes.length === 0 ? (
        <p role="status">No difference between these two.</p>
      ) : (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take focus to be scrolled with the keyboard (WCAG 2.1.1)
        // biome-ignore lint/a11y/useSemanticElements: a <section> would add a landmark per table; this is a scroll box
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Differences, field by field">
          <table class="compact diff">
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">{choices.find(([v]) => v === from)?.[1]}</th>
                <th scope="col">{choices.find(([v]) => v === to)?.[1]}</th>
              </tr>
            </thead>
            <tbody>
              {changes.map((c) => (
                <tr key={c.pointer}>
                  <th scope="row">{words(c.pointer)}</th>
                  <td>
                    <del>{shown(c.before)}</del>
                  </td>
                  <td>
                    <ins>{shown(c.after)}</ins>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

/**
 * "Preview on my product": a page of the product, and a signed link to it that shows the saved
 * draft (`POST /v1/admin/<kind>/{id}/preview`), opened in a new tab.
 */
export function PreviewOnProduct({
  preview,
  disabledReason,
}: {
  /** Asks the server for the link to `url`. */
  preview(url: string): Promise<{ url: string | null }>;
  /** Why it cannot be used now (not saved yet, unsaved changes), or null. */
  disabledReason: string | null;
}) {
  const [url, setUrl] = useState('');
  const [state, setState] = useState<{ link?: string; error?: string; busy?: boolean }>({});
  const problem =
    url === '' ? null : /^https?:\/\/[^\s]+$/.test(url) ? null : 'must be a full address (https://…)';
  return (
    <form
      class="builder-group"
      onSubmit={async (e) => {
        e.preventDefault();
        if (problem || url === '') {
          setState({ error: problem ?? 'is required' });
          return;
        }
        // Opened now, while the click still counts as the user's: a tab opened after the answer
        // arrives would be blocked as a popup. It is pointed at the link once it is known.
        const tab = window.open('about:blank', '_blank');
        setState({ busy: true });
        try {
          const answer = await preview(url);
          if (!answer.url) throw new Error('The server answered no link');
          if (tab) {
            tab.opener = null;
            tab.location.href = answer.url;
          }
          setState({ link: answer.url });
        } catch (error) {
          tab?.close();
          setState({ error: serverErrors(error).fields['/url'] ?? serverErrors(error).message });
        }
      }}
    >
      <h2>Preview on my product</h2>
      <p class="muted">Opens a page of your product with the saved draft shown, to you only, for an hour.</p>
      <TextField
        label="Page of your product"
        pointer="/url"
        type="url"
        placeholder="https://app.example.com/"
        errors={problem || state.error ? { '/url': problem ?? state.error ?? '' } : {}}
        value={url}
        disabled={disabledReason !== null}
        onInput={(v) => {
          setUrl(v.trim());
          setState({});
        }}
      />
      {disabledReason && <p class="muted">{disabledReason}</p>}
      <button type="submit" disabled={disabledReason !== null || state.busy}>
        Preview on my product
      </button>
      {state.link && (
        <p role="status">
          Opened in a new tab:{' '}
          <a href={state.link} target="_blank" rel="noopener">
            the preview link
          </a>
          .
        </p>
      )}
    </form>
  );
}

/** What a builder needs of its kind's admin routes (`/v1/admin/<plural>`), through the typed client. */
export interface ContentEndpoints<C> {
  get(id: string): Promise<ContentRecord<C>>;
  create(body: { name: string; content: C }): Promise<ContentRecord<C>>;
  update(id: string, body: { name: string; content: C }): Promise<ContentRecord<C>>;
  publish(id: string): Promise<unknown>;
  archive(id: string): Promise<ContentRecord<C>>;
  versions(id: string): Promise<ReadonlyArray<VersionEntry<C>>>;
  preview(id: string, url: string): Promise<{ url: string | null }>;
}

type Loading<C> =
  | { state: 'loading' }
  | { state: 'error'; error: Error }
  | { state: 'ready'; record: ContentRecord<C> | null; versions: ReadonlyArray<VersionEntry<C>> };

/**
 * A builder's state: the record (null while new), the name and content being edited, their problems
 * by pointer (the shared schema's as the author types, the server's after a save), and the actions.
 * `id` is the route's (`new` for a new one); `created` is called with the id a first save gave.
 */
export function useContentBuilder<C>({
  id,
  endpoints,
  schema,
  initial,
  created,
  check,
}: {
  id: string;
  endpoints: ContentEndpoints<C>;
  /** The draft input schema the server parses `{name, content}` with. */
  schema: z.ZodType;
  initial: () => { name: string; content: C };
  created(id: string): void;
  /** Problems the schema does not see but the server checks (a tour's CSS selectors). */
  check?: (content: C) => FieldErrors;
}) {
  const isNew = id === 'new';
  const [loading, setLoading] = useState<Loading<C>>(
    isNew ? { state: 'ready', record: null, versions: [] } : { state: 'loading' },
  );
  const [name, setName] = useState(() => initial().name);
  const [content, setContent] = useState<C>(() => initial().content);
  const [saved, setSaved] = useState<string | null>(null);
  const [server, setServer] = useState<FieldErrors>({});
  const [attempted, setAttempted] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<{ text: string; error?: boolean } | null>(null);

  const load = async (target: string) => {
    const [record, versions] = await Promise.all([endpoints.get(target), endpoints.versions(target)]);
    setLoading({ state: 'ready', record, versions });
    setName(record.name);
    setContent(record.draft);
    setSaved(JSON.stringify({ name: record.name, content: record.draft }));
    return record;
  };
  useEffect(() => {
    if (isNew) return;
    // After the first save the route names the new id, whose record is already on screen.
    if (loading.state === 'ready' && loading.record?.id === id) return;
    setLoading({ state: 'loading' });
    load(id).catch((error: unknown) =>
      setLoading({ state: 'error', error: error instanceof Error ? error : new Error(String(error)) }),
    );
  }, [id]);

  const parsed = schema.safeParse({ name, content });
  const checked = check?.(content) ?? {};
  const valid = parsed.success && Object.keys(checked).length === 0;
  const errors: FieldErrors = {
    ...zodErrors(parsed.success ? undefined : parsed.error),
    ...checked,
    ...server,
  };
  const record = loading.state === 'ready' ? loading.record : null;
  const dirty = saved !== JSON.stringify({ name, content });

  /** Focuses the first field with a problem, in the form's order, once it is drawn with it. */
  const focusFirstProblem = () =>
    requestAnimationFrame(() =>
      document.querySelector<HTMLElement>('.builder-form [aria-invalid="true"]')?.focus(),
    );

  const edit = {
    setName(next: string) {
      setName(next);
      setServer({});
    },
    setContent(next: C) {
      setContent(next);
      setServer({});
    },
  };

  /** Saves the draft if it changed; returns the record, or null when refused (problems shown). */
  const save = async (): Promise<ContentRecord<C> | null> => {
    if (!valid) {
      setAttempted(true);
      setMessage({ text: 'Not saved: fix the fields marked below.', error: true });
      focusFirstProblem();
      return null;
    }
    if (record && !dirty) return record;
    try {
      const body = { name, content };
      const next = record ? await endpoints.update(record.id, body) : await endpoints.create(body);
      setLoading((before) => ({
        state: 'ready',
        record: next,
        versions: before.state === 'ready' ? before.versions : [],
      }));
      setName(next.name);
      setContent(next.draft);
      setSaved(JSON.stringify({ name: next.name, content: next.draft }));
      if (!record) created(next.id);
      return next;
    } catch (error) {
      const { fields, message: text } = serverErrors(error);
      setServer(fields);
      setAttempted(true);
      setMessage({ text: `Not saved: ${text}`, error: true });
      focusFirstProblem();
      return null;
    }
  };

  const run = async (what: string, action: () => Promise<string | null>) => {
    setBusy(what);
    setMessage(null);
    try {
      const done = await action();
      if (done) setMessage({ text: done });
    } catch (error) {
      setMessage({ text: serverErrors(error).message, error: true });
    } finally {
      setBusy(null);
    }
  };

  const actions = {
    save: () => run('save', async () => ((await save()) ? 'Draft saved.' : null)),
    publish: () =>
      run('publish', async () => {
        const current = await save();
        if (!current) return null;
        await endpoints.publish(current.id);
        const after = await load(current.id);
        return `Published as version ${after.publishedVersion}.`;
      }),
    archive: () =>
      run('archive', async () => {
        if (!record) return null;
        await endpoints.archive(record.id);
        await load(record.id);
        return 'Archived: shown to nobody; its history is kept.';
      }),
    preview: async (url: string) => {
      if (!record) throw new Error('Save the draft first');
      return endpoints.preview(record.id, url);
    },
  };

  return {
    loading,
    record,
    versions: loading.state === 'ready' ? loading.versions : [],
    name,
    content,
    edit,
    /** Problems shown at their fields: the schema's once a field was edited or a save tried, and the server's. */
    errors,
    attempted,
    valid,
    dirty,
    busy,
    message,
    actions,
  };
}

export type ContentBuilder<C> = ReturnType<typeof useContentBuilder<C>>;

/**
 * A builder's frame: the heading and status, the actions (save, publish, archive), the form, the
 * column kept for the live preview, and the version history. A viewer reads it all, every control
 * disabled, with the reason.
 */
export function BuilderFrame<C>({
  builder,
  noun,
  canEdit,
  children,
  describe,
  preview,
}: {
  builder: ContentBuilder<C>;
  /** "NPS survey", "tour". */
  noun: string;
  canEdit: boolean;
  children: ComponentChildren;
  describe?: (pointer: string) => string;
  /** The live preview of the saved draft (components/WidgetPreview.tsx), at the top of the side column. */
  preview?: ComponentChildren;
}) {
  const { record, loading, busy, message } = builder;
  if (loading.state === 'loading')
    return (
      <p class="state" role="status">
        <span class="spinner" aria-hidden="true" /> Loading the {noun}…
      </p>
    );
  if (loading.state === 'error')
    return (
      <div class="state error" role="alert">
        <p>
          <strong>Could not load this {noun}.</strong> {loading.error.message}
        </p>
      </div>
    );
  const status = !record
    ? 'New: not saved yet'
    : record.status === 'archived'
      ? 'Archived: shown to nobody'
      : record.publishedVersion === null
        ? 'Draft: never published'
        : `Published: version ${record.publishedVersion}${record.hasUnpublishedChanges ? ', with unpublished changes in the draft' : ''}`;
  const readOnly = !canEdit;
  return (
    <>
      <h1>{record ? record.name : `New ${noun}`}</h1>
      <p class="lead">
        {status}
        {builder.dirty && record ? ' (edited: not saved)' : ''}
      </p>
      {readOnly && (
        <p class="state" id="builder-read-only">
          You are a viewer in this workspace: you can read this {noun} but not change it. Ask an owner or
          admin to make you an editor.
        </p>
      )}
      <div class="builder-actions">
        <button
          type="button"
          disabled={readOnly || busy !== null}
          aria-describedby={readOnly ? 'builder-read-only' : undefined}
          onClick={builder.actions.save}
        >
          {busy === 'save' ? 'Saving…' : 'Save draft'}
        </button>
        <button
          type="button"
          class="primary"
          disabled={readOnly || busy !== null || record?.status === 'archived'}
          aria-describedby={readOnly ? 'builder-read-only' : undefined}
          onClick={builder.actions.publish}
        >
          {busy === 'publish' ? 'Publishing…' : 'Publish'}
        </button>
        {record && record.status === 'active' && (
          <button
            type="button"
            disabled={readOnly || busy !== null}
            aria-describedby={readOnly ? 'builder-read-only' : undefined}
            onClick={builder.actions.archive}
          >
            {busy === 'archive' ? 'Archiving…' : 'Archive'}
          </button>
        )}
      </div>
      {message && (
        <p class={message.error ? 'form-error' : 'state'} role={message.error ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
      {builder.attempted && <ErrorSummary errors={builder.errors} title="What to fix" />}
      <div class="builder">
        <form
          class="builder-form"
          aria-label={`The ${noun}`}
          onSubmit={(e) => {
            e.preventDefault();
            builder.actions.save();
          }}
        >
          <fieldset class="builder-fields" disabled={readOnly}>
            <legend class="visually-hidden">The {noun}</legend>
            {children}
          </fieldset>
        </form>
        <aside class="builder-preview" aria-label="Preview">
          {preview}
          {record && builder.dirty && (
            <p class="muted">The previews show the saved draft: save to see your changes.</p>
          )}
          <PreviewOnProduct
            preview={builder.actions.preview}
            disabledReason={
              readOnly
                ? 'Viewers cannot make preview links.'
                : !record
                  ? 'Save the draft first: the preview shows the saved draft.'
                  : builder.dirty
                    ? 'Save your changes first: the preview shows the saved draft.'
                    : null
            }
          />
        </aside>
      </div>
      <section aria-labelledby="history">
        <h2 id="history">Version history</h2>
        <VersionHistory versions={builder.versions} draft={builder.content} describe={describe} />
      </section>
    </>
  );
}
