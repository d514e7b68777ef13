import type {
  AudienceInput,
  Comparison,
  PropertyFilter,
  TraitCondition,
  UrlRuleInput,
} from '../../../shared/schemas/condition.ts';
import { CheckField, Group, NumberField, PartError, SelectField, TextField } from './builder-fields.tsx';

/**
 * Editors for the conditions every kind of content shares (README, "Content"): URL rules, trait
 * conditions and event property filters, and the audience that combines them.
 */

type Op = Comparison['op'];
const opNames: ReadonlyArray<readonly [Op, string]> = [
  ['equals', 'equals'],
  ['notEquals', 'does not equal'],
  ['contains', 'contains'],
  ['gt', 'is greater than'],
  ['lt', 'is less than'],
  ['before', 'is before'],
  ['after', 'is after'],
  ['exists', 'is set'],
  ['notExists', 'is not set'],
  ['in', 'is one of'],
  ['notIn', 'is none of'],
];

/** A comparison with the operator `op`, keeping what of `from`'s value still fits. */
function withOp(op: Op, from: Comparison): Comparison {
  const text = 'value' in from && typeof from.value === 'string' ? from.value : '';
  switch (op) {
    case 'equals':
    case 'notEquals':
      return { op, value: text };
    case 'contains':
      return { op, value: text };
    case 'gt':
    case 'lt':
      return { op, value: 'value' in from && typeof from.value === 'number' ? from.value : 0 };
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

/** What a person types for an exact value: `true` and `false` are booleans, the rest text. */
const scalarOf = (text: string) => (text === 'true' ? true : text === 'false' ? false : text);

/** The operator and value of a condition. */
function ComparisonFields({
  at,
  value,
  onChange,
}: {
  at: string;
  value: Comparison;
  onChange(value: Comparison): void;
}) {
  return (
    <>
      <SelectField
        label="Operator"
        at={`${at}/op`}
        value={value.op}
        options={opNames}
        onChange={(op) => onChange(withOp(op, value))}
      />
      {(value.op === 'equals' || value.op === 'notEquals') && (
        <TextField
          label="Value"
          at={`${at}/value`}
          hint="true and false are yes/no values"
          value={String(value.value)}
          onInput={(text) => onChange({ op: value.op, value: scalarOf(text) })}
        />
      )}
      {value.op === 'contains' && (
        <TextField
          label="Value"
          at={`${at}/value`}
          value={value.value}
          onInput={(text) => onChange({ op: 'contains', value: text })}
        />
      )}
      {(value.op === 'gt' || value.op === 'lt') && (
        <NumberField
          label="Value"
          at={`${at}/value`}
          value={value.value}
          onInput={(n) => onChange({ op: value.op, value: n ?? Number.NaN })}
        />
      )}
      {(value.op === 'before' || value.op === 'after') &&
        (typeof value.value === 'object' ? (
          <NumberField
            label="Days ago"
            at={`${at}/value/daysAgo`}
            hint="Counted from when it is evaluated. Empty it to give a date instead."
            min={0}
            value={value.value.daysAgo}
            onInput={(n) => onChange({ op: value.op, value: n === undefined ? '' : { daysAgo: n } })}
          />
        ) : (
          <TextField
            label="Date"
            at={`${at}/value`}
            hint="YYYY-MM-DD or an ISO 8601 date-time; a number gives days ago instead"
            value={value.value}
            onInput={(text) =>
              onChange({
                op: value.op,
                value: /^\d+$/.test(text) ? { daysAgo: Number(text) } : text,
              })
            }
          />
        ))}
      {(value.op === 'in' || value.op === 'notIn') && (
        <TextField
          label="Values"
          at={`${at}/value`}
          hint="Separated by commas"
          value={value.value.map(String).join(', ')}
          onInput={(text) =>
            onChange({
              op: value.op,
              value: text
                .split(',')
                .map((part) => part.trim())
                .filter((part) => part !== '')
                .map(scalarOf),
            })
          }
        />
      )}
    </>
  );
}

/** The comparison part of a condition (without its subject). */
const comparisonOf = (c: Comparison): Comparison =>
  // Rebuilt from its two parts: a condition also holds its subject (`trait`, `property`).
  ('value' in c ? { op: c.op, value: c.value } : { op: c.op }) as Comparison;

/** A list editor's add, change and remove, as new lists. */
function listOps<T>(list: readonly T[], onChange: (next: T[]) => void) {
  return {
    set: (index: number, item: T) => onChange(list.map((old, i) => (i === index ? item : old))),
    remove: (index: number) => onChange(list.filter((_, i) => i !== index)),
    add: (item: T) => onChange([...list, item]),
  };
}

/** The trait conditions of an audience. */
export function TraitConditions({
  at,
  conditions,
  onChange,
}: {
  at: string;
  conditions: readonly TraitCondition[];
  onChange(next: TraitCondition[]): void;
}) {
  const ops = listOps(conditions, onChange);
  return (
    <div class="rule-list">
      <PartError at={at} />
      {conditions.map((condition, index) => (
        <Group key={index} class="rule" legend={`Condition ${index + 1}`}>
          <SelectField
            label="Of the"
            at={`${at}/${index}/on`}
            value={condition.on}
            options={[
              ['user', 'user'],
              ['account', 'account'],
            ]}
            onChange={(on) => ops.set(index, { ...condition, on })}
          />
          <TextField
            label="Trait"
            at={`${at}/${index}/trait`}
            value={condition.trait}
            placeholder="plan"
            onInput={(trait) => ops.set(index, { ...condition, trait })}
          />
          <ComparisonFields
            at={`${at}/${index}`}
            value={comparisonOf(condition)}
            onChange={(c) => ops.set(index, { on: condition.on, trait: condition.trait, ...c })}
          />
          <button type="button" class="remove" onClick={() => ops.remove(index)}>
            Remove condition {index + 1}
          </button>
        </Group>
      ))}
      <button type="button" onClick={() => ops.add({ on: 'user', trait: '', op: 'equals', value: '' })}>
        Add a trait condition
      </button>
    </div>
  );
}

/** The property filters of an event rule. */
export function PropertyFilters({
  at,
  filters,
  onChange,
}: {
  at: string;
  filters: readonly PropertyFilter[];
  onChange(next: PropertyFilter[]): void;
}) {
  const ops = listOps(filters, onChange);
  return (
    <div class="rule-list">
      <PartError at={at} />
      {filters.map((filter, index) => (
        <Group key={index} class="rule" legend={`Property filter ${index + 1}`}>
          <TextField
            label="Property"
            at={`${at}/${index}/property`}
            value={filter.property}
            placeholder="plan.tier"
            onInput={(property) => ops.set(index, { ...filter, property })}
          />
          <ComparisonFields
            at={`${at}/${index}`}
            value={comparisonOf(filter)}
            onChange={(c) => ops.set(index, { property: filter.property, ...c })}
          />
          <button type="button" class="remove" onClick={() => ops.remove(index)}>
            Remove property filter {index + 1}
          </button>
        </Group>
      ))}
      <button type="button" onClick={() => ops.add({ property: '', op: 'equals', value: '' })}>
        Add a property filter
      </button>
    </div>
  );
}

const matchNames = (regex: boolean) =>
  [
    ['exact', 'is exactly'],
    ['prefix', 'starts with'],
    ['glob', 'matches the pattern (* and **)'],
    ...(regex ? [['regex', 'matches the regular expression'] as const] : []),
  ] as ReadonlyArray<readonly [UrlRuleInput['match'], string]>;

/** One URL rule's fields. */
export function UrlRuleFields({
  at,
  rule,
  onChange,
  regex = true,
}: {
  at: string;
  rule: UrlRuleInput;
  onChange(rule: UrlRuleInput): void;
  /** Whether a regular expression is allowed (a completion URL is matched in SQL, without them). */
  regex?: boolean;
}) {
  return (
    <>
      <SelectField
        label="The URL"
        at={`${at}/match`}
        value={rule.match}
        options={matchNames(regex)}
        onChange={(match) => onChange({ ...rule, match })}
      />
      <TextField
        label="Pattern"
        at={`${at}/pattern`}
        value={rule.pattern}
        placeholder="/invoices"
        hint="A path, such as /invoices/new"
        onInput={(pattern) => onChange({ ...rule, pattern })}
      />
      <CheckField
        label="Match the query string too"
        at={`${at}/withQuery`}
        checked={rule.withQuery ?? false}
        onChange={(withQuery) => onChange({ ...rule, withQuery })}
      />
    </>
  );
}

function UrlRules({
  at,
  noun,
  rules,
  onChange,
}: {
  at: string;
  noun: string;
  rules: readonly UrlRuleInput[];
  onChange(next: UrlRuleInput[]): void;
}) {
  const ops = listOps(rules, onChange);
  return (
    <div class="rule-list">
      <PartError at={at} />
      {rules.map((rule, index) => (
        <Group key={index} class="rule" legend={`${noun} ${index + 1}`}>
          <UrlRuleFields at={`${at}/${index}`} rule={rule} onChange={(next) => ops.set(index, next)} />
          <button type="button" class="remove" onClick={() => ops.remove(index)}>
            Remove {noun.toLowerCase()} {index + 1}
          </button>
        </Group>
      ))}
      <button type="button" onClick={() => ops.add({ match: 'prefix', pattern: '/', withQuery: false })}>
        Add {noun.toLowerCase()}
      </button>
    </div>
  );
}

/** Who sees the content: trait conditions, and the pages it shows on and never on. */
export function AudienceFields({
  at,
  audience,
  onChange,
}: {
  at: string;
  audience: AudienceInput;
  onChange(next: AudienceInput): void;
}) {
  const conditions = audience.conditions ?? [];
  return (
    <>
      <p class="hint">With no condition and no page, everyone sees it, on every page.</p>
      <SelectField
        label="People who match"
        at={`${at}/match`}
        value={audience.match ?? 'all'}
        options={[
          ['all', 'all of the conditions'],
          ['any', 'any of the conditions'],
        ]}
        onChange={(match) => onChange({ ...audience, match })}
      />
      <TraitConditions
        at={`${at}/conditions`}
        conditions={conditions}
        onChange={(next) => onChange({ ...audience, conditions: next })}
      />
      <h3>Pages</h3>
      <UrlRules
        at={`${at}/urls`}
        noun="Shown on page"
        rules={audience.urls ?? []}
        onChange={(urls) => onChange({ ...audience, urls })}
      />
      <UrlRules
        at={`${at}/excludeUrls`}
        noun="Never on page"
        rules={audience.excludeUrls ?? []}
        onChange={(excludeUrls) => onChange({ ...audience, excludeUrls })}
      />
    </>
  );
}
