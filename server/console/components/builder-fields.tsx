import { type ComponentChildren, createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { FieldErrors } from '../checklist-form.ts';

/**
 * Form fields for the content builders: each is named by the JSON pointer of its value in the
 * request body (`/content/items/0/title`), which gives it its id and finds its error, whether the
 * schema found it as the author typed or the server answered it (problem+json pointers).
 */

/** The errors of the form being drawn, by pointer. */
export const ErrorsContext = createContext<FieldErrors>({});

/** An element id made of a pointer: `/content/items/0/title` → `f-content-items-0-title`. */
export const fieldId = (pointer: string) => `f${pointer.replace(/[^A-Za-z0-9_-]/g, '-')}`;

/** The error at `pointer`, and the attributes that tie it to its input (WCAG 3.3.1). */
export function useFieldError(pointer: string, hint?: string) {
  const error = useContext(ErrorsContext)[pointer];
  const id = fieldId(pointer);
  const describedBy = [error && `${id}-error`, hint && `${id}-hint`].filter(Boolean).join(' ');
  return {
    id,
    error,
    aria: {
      'aria-invalid': error ? ('true' as const) : undefined,
      'aria-describedby': describedBy || undefined,
    },
  };
}

function Notes({ id, error, hint }: { id: string; error?: string | undefined; hint?: string | undefined }) {
  return (
    <>
      {hint && (
        <span class="hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {error && (
        <span class="field-error" id={`${id}-error`}>
          {error}
        </span>
      )}
    </>
  );
}

interface Base {
  label: string;
  /** The JSON pointer of the value. */
  at: string;
  hint?: string;
}

export function TextField({
  label,
  at,
  hint,
  value,
  onInput,
  multiline,
  placeholder,
}: Base & { value: string; onInput(value: string): void; multiline?: boolean; placeholder?: string }) {
  const { id, error, aria } = useFieldError(at, hint);
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {multiline ? (
        <textarea
          id={id}
          rows={2}
          value={value}
          placeholder={placeholder}
          onInput={(e) => onInput(e.currentTarget.value)}
          {...aria}
        />
      ) : (
        <input
          id={id}
          type="text"
          value={value}
          placeholder={placeholder}
          onInput={(e) => onInput(e.currentTarget.value)}
          {...aria}
        />
      )}
      <Notes id={id} error={error} hint={hint} />
    </div>
  );
}

/** A whole number; empty gives `undefined` (the schema's default, or "none" for an optional field). */
export function NumberField({
  label,
  at,
  hint,
  value,
  onInput,
  min,
  max,
}: Base & {
  value: number | undefined;
  onInput(value: number | undefined): void;
  min?: number;
  max?: number;
}) {
  const { id, error, aria } = useFieldError(at, hint);
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        type="number"
        inputMode="numeric"
        min={min}
        max={max}
        value={value === undefined || Number.isNaN(value) ? '' : String(value)}
        onInput={(e) => {
          const text = e.currentTarget.value;
          onInput(text === '' ? undefined : Number(text));
        }}
        {...aria}
      />
      <Notes id={id} error={error} hint={hint} />
    </div>
  );
}

export function SelectField<T extends string>({
  label,
  at,
  hint,
  value,
  onChange,
  options,
}: Base & { value: T; onChange(value: T): void; options: ReadonlyArray<readonly [T, string]> }) {
  const { id, error, aria } = useFieldError(at, hint);
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value as T)} {...aria}>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
      <Notes id={id} error={error} hint={hint} />
    </div>
  );
}

export function CheckField({
  label,
  at,
  hint,
  checked,
  onChange,
}: Base & { checked: boolean; onChange(checked: boolean): void }) {
  const { id, error, aria } = useFieldError(at, hint);
  return (
    <div class="field check-field">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        onChange={(e) => onChange(e.currentTarget.checked)}
        {...aria}
      />
      <label for={id}>{label}</label>
      <Notes id={id} error={error} hint={hint} />
    </div>
  );
}

/** The error of a part of the form no single input holds (a list: "needs at least one item"). */
export function PartError({ at }: { at: string }) {
  const error = useContext(ErrorsContext)[at];
  if (!error) return null;
  return (
    <p class="field-error" id={`${fieldId(at)}-error`}>
      {error}
    </p>
  );
}

/** A group of fields with a legend. */
export function Group({
  legend,
  children,
  class: className,
}: {
  legend: ComponentChildren;
  children: ComponentChildren;
  class?: string;
}) {
  return (
    <fieldset class={`group ${className ?? ''}`}>
      <legend>{legend}</legend>
      {children}
    </fieldset>
  );
}
