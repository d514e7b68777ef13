import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { ApiFailure } from '../api.ts';
import { bandName, points } from '../format.ts';

export type Loaded<T> =
  | { state: 'loading'; data?: undefined; error?: undefined }
  | { state: 'error'; data?: undefined; error: Error }
  | { state: 'ready'; data: T; error?: undefined };

/**
 * Data for a view: loads when `keys` change (the URL's filters, the workspace), and drops an answer
 * that arrives after a newer request was made, so a slow old page never replaces a new one.
 */
export function useLoad<T>(load: () => Promise<T>, keys: readonly unknown[]): Loaded<T> & { reload(): void } {
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let current = true;
    setResult((before) => (before.state === 'ready' ? before : { state: 'loading' }));
    load().then(
      (data) => current && setResult({ state: 'ready', data }),
      (error: unknown) =>
        current &&
        setResult({ state: 'error', error: error instanceof Error ? error : new Error(String(error)) }),
    );
    return () => {
      current = false;
    };
  }, [...keys, generation]);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return { ...result, reload };
}

/** The URL's query as the view's filters; `set` changes some of them (empty values removed) in place. */
export function useQuery(): [
  Record<string, string>,
  (patch: Record<string, string | number | undefined>) => void,
] {
  const location = useLocation();
  const set = (patch: Record<string, string | number | undefined>) => {
    const params = new URLSearchParams(location.query);
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined || value === '') params.delete(key);
      else params.set(key, String(value));
    }
    const text = params.toString();
    // The path as the address bar has it (`location.path` drops the trailing slash of `/app/`).
    const path = location.url.split('?')[0] ?? location.path;
    location.route(text ? `${path}?${text}` : path, true);
  };
  return [location.query, set];
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="state" role="status">
      <span class="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

/** An error, said plainly, with what to do: sign in again, retry, or check the address. */
export function ErrorNote({ error, retry }: { error: Error; retry?: () => void }) {
  const status = error instanceof ApiFailure ? error.status : 0;
  const hint =
    status === 403
      ? 'Your role in this workspace does not allow this. Ask an owner or admin.'
      : status === 404
        ? 'It may have been removed, or belong to another workspace: check the address or switch workspace.'
        : status === 0 || status >= 500
          ? 'The server could not be reached or failed. Try again in a moment.'
          : null;
  return (
    <div class="state error" role="alert">
      <p>
        <strong>Could not load this.</strong> {error.message}
      </p>
      {hint && <p>{hint}</p>}
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** Nothing to show, and what would make something appear. */
export function Empty({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <div class="state empty">
      <p>
        <strong>{title}</strong>
      </p>
      <p>{children}</p>
    </div>
  );
}

/** A health band in words and colour (never colour alone), with the score when there is one. */
export function Band({ band, score }: { band: string; score?: number | null }) {
  return (
    <span class={`band band-${band}`}>
      {score !== undefined && score !== null && <strong>{score}</strong>}
      {bandName(band)}
    </span>
  );
}

/** Points against a week before, with an arrow whose direction is also said in words. */
export function Trend({ change }: { change: number | null }) {
  if (change === null) return <span class="muted">–</span>;
  const word = change > 0 ? 'up' : change < 0 ? 'down' : 'unchanged';
  const arrow = change > 0 ? '↑' : change < 0 ? '↓' : '→';
  return (
    <span class={`trend trend-${word}`} title={`${word} ${Math.abs(change)} points in 7 days`}>
      <span aria-hidden="true">{arrow}</span> {points(change)}
      <span class="visually-hidden"> points, {word} in 7 days</span>
    </span>
  );
}

/** A column header that sorts the table on the server: `sort` is the URL's, `column` this header's. */
export function SortHeader({
  label,
  column,
  sort,
  onSort,
}: {
  label: string;
  column: string;
  sort: string;
  onSort(sort: string): void;
}) {
  const active = sort.replace('-', '') === column;
  const descending = active && sort.startsWith('-');
  return (
    <th scope="col" aria-sort={active ? (descending ? 'descending' : 'ascending') : 'none'}>
      <button
        type="button"
        class="sort"
        onClick={() => onSort(active && !descending ? `-${column}` : column)}
      >
        {label}
        <span aria-hidden="true">{active ? (descending ? ' ▼' : ' ▲') : ' ↕'}</span>
      </button>
    </th>
  );
}

/** Previous and next pages of a list paged on the server, and where this page sits. */
export function Pager({
  offset,
  shown,
  total,
  onOffset,
  pageSize,
}: {
  offset: number;
  shown: number;
  total: number;
  pageSize: number;
  onOffset(offset: number): void;
}) {
  return (
    <nav class="pager" aria-label="Pages">
      <span>{total === 0 ? 'None' : `${offset + 1}–${offset + shown} of ${total}`}</span>
      <button type="button" disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - pageSize))}>
        Previous
      </button>
      <button type="button" disabled={offset + shown >= total} onClick={() => onOffset(offset + pageSize)}>
        Next
      </button>
    </nav>
  );
}

/** A labelled figure: a big number and what it means. */
export function Stat({
  label,
  value,
  note,
}: {
  label: string;
  value: ComponentChildren;
  note?: ComponentChildren;
}) {
  return (
    <div class="stat">
      <dt>{label}</dt>
      <dd>
        <span class="stat-value">{value}</span>
        {note && <span class="stat-note">{note}</span>}
      </dd>
    </div>
  );
}

/**
 * A table's box, scrolling sideways when the table is wider than the screen (a tablet): focusable,
 * so a keyboard can scroll it too, and named, so a screen reader says what it holds.
 */
export function TableWrap({
  children,
  ...name
}: { children: ComponentChildren } & ({ 'aria-label': string } | { 'aria-labelledby': string })) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take focus to be scrolled with the keyboard (WCAG 2.1.1)
    // biome-ignore lint/a11y/useSemanticElements: a <section> would add a landmark per table; this is a scroll box
    <div class="table-wrap" tabIndex={0} role="region" {...name}>
      {children}
    </div>
  );
}

/** Which events a person's or account's latest events list (the overview's `events` option), from the URL. */
export const eventsShownOf = (query: Record<string, string>): 'product' | 'all' =>
  query.events === 'all' ? 'all' : 'product';

/**
 * The switch between the product's own events (by default) and those with the widget's `$waymark.*`
 * events too, kept in the URL (`events=all`) so a reload or a shared link keeps it.
 */
export function EventsToggle() {
  const [query, setQuery] = useQuery();
  return (
    <label class="check">
      <input
        type="checkbox"
        checked={eventsShownOf(query) === 'all'}
        onChange={(e) => setQuery({ events: e.currentTarget.checked ? 'all' : undefined })}
      />
      Include Waymark’s own events
    </label>
  );
}
