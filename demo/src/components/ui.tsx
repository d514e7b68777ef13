import type { ComponentChildren, PartialInputHTMLAttributes } from 'preact';
import { useEffect, useId, useLayoutEffect, useRef } from 'preact/hooks';
import { initials } from '../lib/ids';
import type { DisplayStatus } from '../lib/money';
import { Icon } from './icons';

export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Ledgerly`;
  }, [title]);
}

/** The page's h1. It is the target of focus after each in-app navigation (see Shell). */
export function PageHeader(props: {
  title: string;
  subtitle?: ComponentChildren;
  badge?: ComponentChildren;
  actions?: ComponentChildren;
  back?: ComponentChildren;
}) {
  useDocumentTitle(props.title);
  return (
    <header class="page-header">
      <div class="page-heading">
        {props.back}
        <div class="page-title-row">
          <h1 id="page-title" tabIndex={-1}>
            {props.title}
          </h1>
          {props.badge}
        </div>
        {props.subtitle && <p class="page-subtitle">{props.subtitle}</p>}
      </div>
      {props.actions && <div class="page-actions">{props.actions}</div>}
    </header>
  );
}

/** ARIA wiring for a control with an optional hint and error message rendered by <Field>. */
export function controlProps(id: string, error?: string, hint?: string) {
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return {
    id,
    'aria-invalid': error ? ('true' as const) : undefined,
    'aria-describedby': describedBy || undefined,
  };
}

export function Field(props: {
  id: string;
  label: ComponentChildren;
  error?: string | undefined;
  hint?: string | undefined;
  optional?: boolean;
  class?: string;
  children: ComponentChildren;
}) {
  return (
    <div class={`field${props.error ? ' has-error' : ''}${props.class ? ` ${props.class}` : ''}`}>
      <label for={props.id}>
        {props.label}
        {props.optional && <span class="optional"> (optional)</span>}
      </label>
      {props.children}
      {props.hint && (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      )}
      {props.error && (
        <p class="field-error" id={`${props.id}-error`}>
          {props.error}
        </p>
      )}
    </div>
  );
}

/** A text input with its label, hint and error. */
export function TextField(
  props: {
    id: string;
    label: string;
    value: string;
    onValue: (value: string) => void;
    error?: string | undefined;
    hint?: string;
    optional?: boolean;
  } & Omit<PartialInputHTMLAttributes<HTMLInputElement>, 'id' | 'value' | 'label'>,
) {
  const { id, label, value, onValue, error, hint, optional, ...rest } = props;
  return (
    <Field id={id} label={label} error={error} hint={hint} optional={optional ?? false}>
      <input
        {...(rest as Record<string, unknown>)}
        {...controlProps(id, error, hint)}
        value={value}
        onInput={(event) => onValue(event.currentTarget.value)}
      />
    </Field>
  );
}

export function ErrorSummary({ count }: { count: number }) {
  if (count === 0) return null;
  return (
    <div class="error-summary" role="alert">
      {count === 1 ? 'There is 1 problem with this form.' : `There are ${count} problems with this form.`}{' '}
      Check the highlighted fields.
    </div>
  );
}

/** Moves focus to the first field named in `errors` (keys are element ids), in document order. */
export function focusFirstError(errors: Record<string, string>): void {
  const ids = Object.keys(errors);
  if (ids.length === 0) return;
  requestAnimationFrame(() => {
    const elements = ids
      .map((id) => document.getElementById(id))
      .filter((el): el is HTMLElement => el !== null)
      .sort((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
    elements[0]?.focus();
  });
}

const STATUS_LABELS: Record<DisplayStatus, string> = {
  draft: 'Draft',
  sent: 'Sent',
  overdue: 'Overdue',
  paid: 'Paid',
};

export function StatusBadge({ status }: { status: DisplayStatus }) {
  return <span class={`badge badge-${status}`}>{STATUS_LABELS[status]}</span>;
}

export function Avatar({ name, size = 'md' }: { name: string; size?: 'sm' | 'md' }) {
  return (
    <span class={`avatar avatar-${size}`} aria-hidden="true">
      {initials(name)}
    </span>
  );
}

export function EmptyState(props: {
  icon: Parameters<typeof Icon>[0]['name'];
  title: string;
  children?: ComponentChildren;
}) {
  return (
    <div class="empty-state">
      <span class="empty-icon">
        <Icon name={props.icon} size={24} />
      </span>
      <h2 class="empty-title">{props.title}</h2>
      {props.children}
    </div>
  );
}

/** A modal built on the native <dialog>: focus trapping, Escape and the inert background come for free. */
export function Modal(props: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ComponentChildren;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useLayoutEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) dialog.showModal();
    else if (!props.open && dialog.open) dialog.close();
  }, [props.open]);
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the backdrop click mirrors Escape, which <dialog> handles natively (onCancel).
    <dialog
      ref={ref}
      class="modal"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        props.onClose();
      }}
      onClick={(event) => {
        // A click on the backdrop lands on the <dialog> itself.
        if (event.target === event.currentTarget) props.onClose();
      }}
    >
      <div class="modal-body">
        <div class="modal-header">
          <h2 id={titleId}>{props.title}</h2>
          <button type="button" class="icon-button" aria-label="Close" onClick={props.onClose}>
            <Icon name="x" />
          </button>
        </div>
        {props.open && props.children}
      </div>
    </dialog>
  );
}
