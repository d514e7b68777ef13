import { useEffect, useRef, useState } from 'preact/hooks';
import type { z } from 'zod';
import {
  type AlertRule,
  type AlertRules,
  type AlertRulesPatch,
  alertRuleNames,
  alertRules,
} from '../../../shared/schemas/alert-rules.ts';
import {
  type WebhookDelivery,
  type WebhookDeliveryPage,
  type WebhookEndpoint,
  webhookEndpointInput,
  webhookSecretRotation,
} from '../../../shared/schemas/webhook.ts';
import { ApiFailure, api, done, ok } from '../api.ts';
import { Empty, ErrorNote, Loading, TableWrap, useLoad } from '../components/ui.tsx';
import { count, dash, dateTime } from '../format.ts';
import { base, useSession } from '../session.ts';

/**
 * Webhooks and alert rules (README, "Webhooks" and "Alerts"): add an endpoint, send it a test event,
 * read its delivery log, rotate its signing secret, pause or delete it; turn alert rules on and off
 * with their thresholds and cooldowns. Every member reads; only admins and owners change (the
 * server's rule, README "Team sign-in"), and forms are checked as they are typed with the schemas
 * the server parses with.
 */
export default function Webhooks() {
  const { workspace, can } = useSession();
  const admin = can('admin');
  return (
    <div class="webhooks-view">
      <h1>Webhooks and alerts</h1>
      <p class="lead">
        Waymark posts signed events to your endpoints (a Slack incoming webhook works as it is) when an alert
        rule fires for an account, and a test event when you ask for one.
      </p>
      {!admin && (
        <p class="state" id="read-only">
          You are {workspace.role === 'editor' ? 'an editor' : 'a viewer'} in this workspace: you can read the
          webhooks, their delivery logs and the alert rules, but adding, testing, pausing, deleting a webhook,
          rotating its secret and changing alert rules need the admin or owner role. Ask an owner or admin.
        </p>
      )}
      <WebhooksSection admin={admin} />
      <AlertRulesSection admin={admin} />
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Validation messages

type Issue = z.core.$ZodIssue;

/**
 * A schema's issue in the console's words: a schema's own message (they start with "must") as it
 * is, zod's generic ones for bounds and types said the same way. `scale` shows bounds of a share
 * typed as a percentage.
 */
function issueText(issue: Issue, scale?: { by: number; unit: string }): string {
  if (issue.message.startsWith('must')) return issue.message;
  const bound = (n: number | bigint) => `${Number(n) * (scale?.by ?? 1)}${scale?.unit ?? ''}`;
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected === 'int' ? 'must be a whole number' : 'must be a number';
    case 'too_small':
      return issue.origin === 'string' || issue.origin === 'array'
        ? `must not be empty`
        : `must be at least ${bound(issue.minimum)}`;
    case 'too_big':
      return issue.origin === 'string'
        ? `must be at most ${issue.maximum} characters`
        : issue.origin === 'array'
          ? `must name at most ${issue.maximum}`
          : `must be at most ${bound(issue.maximum)}`;
    default:
      return issue.message;
  }
}

/** The API's field errors (problem+json `errors`, a JSON pointer each) by their first segment. */
function serverFieldErrors(error: unknown): Record<string, string> {
  const errors: Record<string, string> = {};
  if (error instanceof ApiFailure)
    for (const e of error.problem?.errors ?? []) {
      const field = e.pointer.split('/')[1] ?? '';
      errors[field] ??= e.detail;
    }
  return errors;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A field's error under it, tied to the input by `aria-describedby` (the id is `<id>-error`). */
function FieldError({ id, error }: { id: string; error: string | undefined }) {
  return error ? (
    <span class="field-error" id={`${id}-error`}>
      {error}
    </span>
  ) : null;
}
const describedBy = (id: string, error: string | undefined, hint?: string) =>
  [hint, error ? `${id}-error` : undefined].filter(Boolean).join(' ') || undefined;

// ---------------------------------------------------------------------------------------------
// Webhooks

type Shown = { url: string; secret: string; why: 'created' | 'rotated'; overlapHours?: number };

function WebhooksSection({ admin }: { admin: boolean }) {
  const { workspace } = useSession();
  const list = useLoad(() => ok(api.v1.admin.webhooks.$get()), [workspace.id]);
  const [shown, setShown] = useState<Shown | null>(null);
  return (
    <section aria-labelledby="webhooks">
      <h2 id="webhooks">Webhooks</h2>
      {shown && <SecretPanel shown={shown} onHide={() => setShown(null)} />}
      {admin && (
        <AddWebhookForm
          onCreated={(created) => {
            setShown({ url: created.url, secret: created.secret, why: 'created' });
            list.reload();
          }}
        />
      )}
      {list.state === 'loading' && <Loading what="webhooks" />}
      {list.state === 'error' && <ErrorNote error={list.error} retry={list.reload} />}
      {list.state === 'ready' && list.data.webhooks.length === 0 && (
        <Empty title="No webhook yet.">
          {admin
            ? 'Add one above: the URL of your receiver (or a Slack incoming webhook), then send it a test event and watch it arrive in the delivery log.'
            : 'An admin or owner adds them: each then has its delivery log here.'}
        </Empty>
      )}
      {list.state === 'ready' &&
        list.data.webhooks.map((endpoint) => (
          <EndpointCard
            key={endpoint.id}
            endpoint={endpoint}
            admin={admin}
            onChanged={list.reload}
            onSecret={(secret, overlapHours) => {
              setShown({ url: endpoint.url, secret, why: 'rotated', overlapHours });
              list.reload();
            }}
          />
        ))}
    </section>
  );
}

/** A new signing secret, shown this once, with a copy button. */
function SecretPanel({ shown, onHide }: { shown: Shown; onHide(): void }) {
  const code = useRef<HTMLElement>(null);
  const [status, setStatus] = useState('');
  const copy = async () => {
    try {
      // Absent on a page that is not a secure context; refused without the user's permission.
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(shown.secret);
      setStatus('Copied');
    } catch {
      const selection = getSelection();
      if (code.current && selection) selection.selectAllChildren(code.current);
      setStatus('Selected: press Ctrl+C (⌘C on a Mac) to copy');
    }
  };
  return (
    <section class="state secret-panel" aria-label="New signing secret">
      <p>
        <strong>
          {shown.why === 'created' ? 'Webhook added.' : 'Signing secret rotated.'} Its signing secret, shown
          this once:
        </strong>{' '}
        copy it now into the receiver for <code>{shown.url}</code>, which checks each delivery’s{' '}
        <code>Waymark-Signature</code> with it (README, “Webhooks”).
        {shown.why === 'rotated' &&
          (shown.overlapHours
            ? ` The previous secret also signs for ${shown.overlapHours} hours, so the receiver can switch over.`
            : ' The previous secret no longer signs.')}
      </p>
      <p class="secret">
        <code ref={code}>{shown.secret}</code>
      </p>
      <p class="row-tools">
        <button type="button" onClick={copy}>
          Copy secret
        </button>
        <button type="button" onClick={onHide}>
          I have kept it: hide
        </button>
        <span role="status">{status}</span>
      </p>
    </section>
  );
}

type Draft = { url: string; description: string; scope: 'all' | 'some'; types: string; enabled: boolean };
const emptyDraft: Draft = { url: '', description: '', scope: 'all', types: 'alert.created', enabled: true };
const typesOf = (text: string) => text.split(/[\s,]+/).filter(Boolean);

/** The request body a draft makes, as `POST /v1/admin/webhooks` takes it. */
const inputOf = (d: Draft) => ({
  url: d.url,
  description: d.description,
  eventTypes: d.scope === 'all' ? null : typesOf(d.types),
  enabled: d.enabled,
});

/** The draft's errors by field, from the server's own schema; an event type's error names the type. */
function draftErrors(d: Draft): Record<string, string> {
  const parsed = webhookEndpointInput.safeParse(inputOf(d));
  const errors: Record<string, string> = {};
  if (parsed.success) return errors;
  for (const issue of parsed.error.issues) {
    const [field, index] = issue.path;
    const key = field === 'eventTypes' ? 'types' : String(field);
    const type = typeof index === 'number' ? typesOf(d.types)[index] : undefined;
    errors[key] ??= type === undefined ? issueText(issue) : `“${type}” ${issueText(issue)}`;
  }
  return errors;
}

function AddWebhookForm({ onCreated }: { onCreated(created: { url: string; secret: string }): void }) {
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [server, setServer] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const focusInvalid = useRef(false);
  const errors = { ...server, ...draftErrors(draft) };
  const shownError = (field: string) => (touched[field] ? errors[field] : undefined);
  const edit = (field: keyof Draft, value: Draft[keyof Draft]) => {
    setDraft((d) => ({ ...d, [field]: value }));
    setTouched((t) => ({ ...t, [field === 'scope' ? 'types' : field]: true }));
    // The server's error for a field goes once the field is changed (`eventTypes` is typed in `types`).
    setServer(({ [field === 'scope' ? 'types' : field]: _gone, ...rest }) => rest);
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    setFailure(null);
    const now = draftErrors(draft);
    if (Object.keys(now).length > 0) {
      setTouched({ url: true, description: true, types: true });
      // The first field in error takes focus, so a keyboard or screen reader user lands on it.
      form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    setBusy(true);
    try {
      const created = await ok(api.v1.admin.webhooks.$post({ json: inputOf(draft) }));
      setDraft(emptyDraft);
      setTouched({});
      onCreated(created);
    } catch (error) {
      const fields = serverFieldErrors(error);
      const { eventTypes, ...others } = fields;
      if (eventTypes) others.types = eventTypes;
      setServer(others);
      setTouched({ url: true, description: true, types: true });
      if (Object.keys(others).length === 0) setFailure(messageOf(error));
      else focusInvalid.current = true;
    } finally {
      setBusy(false);
    }
  };
  // Once the server's refusal is drawn at its fields, the first of them takes focus.
  useEffect(() => {
    if (!focusInvalid.current) return;
    focusInvalid.current = false;
    form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  });

  const urlError = shownError('url');
  const descriptionError = shownError('description');
  const typesError = shownError('types');
  return (
    <form ref={form} class="webhook-form" aria-labelledby="add-webhook" noValidate onSubmit={submit}>
      <h3 id="add-webhook">Add a webhook</h3>
      <label for="webhook-url">
        Endpoint URL
        <span class="hint" id="webhook-url-hint">
          https://, or http:// to localhost while developing
        </span>
      </label>
      <input
        id="webhook-url"
        type="url"
        inputMode="url"
        autoComplete="off"
        placeholder="https://hooks.example.com/waymark"
        value={draft.url}
        aria-invalid={urlError ? 'true' : undefined}
        aria-describedby={describedBy('webhook-url', urlError, 'webhook-url-hint')}
        onInput={(e) => edit('url', e.currentTarget.value)}
      />
      <FieldError id="webhook-url" error={urlError} />
      <label for="webhook-description">Description (optional)</label>
      <input
        id="webhook-description"
        autoComplete="off"
        placeholder="CS alerts to #cs-alerts"
        value={draft.description}
        aria-invalid={descriptionError ? 'true' : undefined}
        aria-describedby={describedBy('webhook-description', descriptionError)}
        onInput={(e) => edit('description', e.currentTarget.value)}
      />
      <FieldError id="webhook-description" error={descriptionError} />
      <fieldset class="choices">
        <legend>Events it receives</legend>
        <label class="check">
          <input
            type="radio"
            name="webhook-scope"
            checked={draft.scope === 'all'}
            onChange={() => edit('scope', 'all')}
          />
          Every event type (today <code>alert.created</code>, and any added later)
        </label>
        <label class="check">
          <input
            type="radio"
            name="webhook-scope"
            checked={draft.scope === 'some'}
            onChange={() => edit('scope', 'some')}
          />
          Only these types
        </label>
        {draft.scope === 'some' && (
          <>
            <label for="webhook-types">Event types, separated by commas or spaces</label>
            <input
              id="webhook-types"
              autoComplete="off"
              value={draft.types}
              aria-invalid={typesError ? 'true' : undefined}
              aria-describedby={describedBy('webhook-types', typesError)}
              onInput={(e) => edit('types', e.currentTarget.value)}
            />
            <FieldError id="webhook-types" error={typesError} />
          </>
        )}
      </fieldset>
      <label class="check">
        <input
          type="checkbox"
          checked={draft.enabled}
          onChange={(e) => edit('enabled', e.currentTarget.checked)}
        />
        Enabled (unticked: events wait for it until it is enabled)
      </label>
      {failure && (
        <p class="form-error" role="alert">
          {failure}
        </p>
      )}
      <p>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Adding…' : 'Add webhook'}
        </button>
      </p>
    </form>
  );
}

type TestOutcome = { text: string; tone: 'good' | 'bad' | 'wait' };

/** What a test delivery came to, in words: delivered, refused, or still being tried. */
function testOutcome(d: WebhookDelivery): TestOutcome {
  const answer =
    d.lastStatusCode === null
      ? 'no answer'
      : `HTTP ${d.lastStatusCode}${d.lastDurationMs === null ? '' : ` in ${d.lastDurationMs} ms`}`;
  if (d.status === 'delivered') return { text: `Test event delivered: ${answer}.`, tone: 'good' };
  if (d.status === 'failed')
    return { text: `Test event failed: ${answer}${d.lastError ? ` (${d.lastError})` : ''}.`, tone: 'bad' };
  if (d.attempts === 0) return { text: 'Test event queued; sending it…', tone: 'wait' };
  return {
    text: `Test event not delivered yet: attempt ${d.attempts} got ${answer}${d.lastError ? ` (${d.lastError})` : ''}; next attempt ${dateTime(d.nextAttemptAt)}.`,
    tone: 'bad',
  };
}

function EndpointCard({
  endpoint,
  admin,
  onChanged,
  onSecret,
}: {
  endpoint: WebhookEndpoint;
  admin: boolean;
  onChanged(): void;
  onSecret(secret: string, overlapHours: number): void;
}) {
  const [logVersion, setLogVersion] = useState(0);
  const [message, setMessage] = useState<TestOutcome | null>(null);
  const [busy, setBusy] = useState(false);
  const [panel, setPanel] = useState<'none' | 'rotate' | 'delete'>('none');
  const alive = useRef(true);
  useEffect(
    () => () => {
      alive.current = false;
    },
    [],
  );
  const headingId = `webhook-${endpoint.id}`;

  const act = async (what: () => Promise<void>) => {
    setBusy(true);
    setMessage(null);
    try {
      await what();
    } catch (error) {
      setMessage({ text: messageOf(error), tone: 'bad' });
    } finally {
      if (alive.current) setBusy(false);
    }
  };

  /** Follows a queued test delivery (the worker sends it within a second or so) to its result, for 20 s. */
  const follow = async (queued: WebhookDelivery) => {
    try {
      for (let i = 0; i < 20 && alive.current; i++) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const page = await ok(
          api.v1.admin.webhooks[':id'].deliveries.$get({
            param: { id: endpoint.id },
            query: { limit: '20' },
          }),
        );
        const now = page.deliveries.find((d) => d.id === queued.id);
        if (!now || !alive.current) return;
        setMessage(testOutcome(now));
        if (now.attempts > 0) {
          setLogVersion((v) => v + 1);
          return;
        }
      }
      if (alive.current)
        setMessage({
          text: 'Test event queued, not sent yet: no delivery worker has taken it (is WEBHOOK_DELIVERY off on every instance?). The log below shows it once it is.',
          tone: 'wait',
        });
    } catch (error) {
      if (alive.current) setMessage({ text: messageOf(error), tone: 'bad' });
    }
  };

  const sendTest = async () => {
    let queued: WebhookDelivery | null = null;
    await act(async () => {
      queued = await ok(api.v1.admin.webhooks[':id'].test.$post({ param: { id: endpoint.id } }));
      setMessage(testOutcome(queued));
      setLogVersion((v) => v + 1);
    });
    // Followed with the buttons free: the endpoint can be paused or deleted meanwhile.
    if (queued) await follow(queued);
  };

  return (
    <article class="webhook" aria-labelledby={headingId}>
      <div class="heading">
        <h3 id={headingId} class="webhook-url">
          {endpoint.url}
        </h3>
        <span class={`pill ${endpoint.enabled ? 'pill-on' : 'pill-off'}`}>
          {endpoint.enabled ? 'Enabled' : 'Disabled'}
        </span>
      </div>
      {endpoint.description && <p class="lead">{endpoint.description}</p>}
      <dl class="facts">
        <dt>Events</dt>
        <dd>
          {endpoint.eventTypes === null
            ? 'every type'
            : endpoint.eventTypes.map((t, i) => (
                <span key={t}>
                  {i > 0 && ', '}
                  <code>{t}</code>
                </span>
              ))}
        </dd>
        <dt>Signing secret</dt>
        <dd>
          <code>{endpoint.secretHint}</code>
          {endpoint.previousSecretExpiresAt &&
            ` (the previous one also signs until ${dateTime(endpoint.previousSecretExpiresAt)})`}
        </dd>
        <dt>Added</dt>
        <dd>{dateTime(endpoint.createdAt)}</dd>
      </dl>
      {admin && (
        <div class="row-tools">
          <button
            type="button"
            disabled={busy || !endpoint.enabled}
            aria-describedby={endpoint.enabled ? undefined : `${headingId}-why`}
            onClick={sendTest}
          >
            Send test event
          </button>
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              act(async () => {
                await ok(
                  api.v1.admin.webhooks[':id'].$patch({
                    param: { id: endpoint.id },
                    json: { enabled: !endpoint.enabled },
                  }),
                );
                onChanged();
              })
            }
          >
            {endpoint.enabled ? 'Disable' : 'Enable'}
          </button>
          <button
            type="button"
            disabled={busy}
            aria-expanded={panel === 'rotate'}
            onClick={() => setPanel(panel === 'rotate' ? 'none' : 'rotate')}
          >
            Rotate secret…
          </button>
          <button
            type="button"
            disabled={busy}
            aria-expanded={panel === 'delete'}
            onClick={() => setPanel(panel === 'delete' ? 'none' : 'delete')}
          >
            Delete…
          </button>
        </div>
      )}
      {admin && !endpoint.enabled && (
        <p class="muted" id={`${headingId}-why`}>
          Disabled: its events wait, and a test event can be sent once it is enabled again.
        </p>
      )}
      {panel === 'rotate' && (
        <RotateForm
          endpointId={endpoint.id}
          onRotated={(secret, overlapHours) => {
            setPanel('none');
            onSecret(secret, overlapHours);
          }}
          onCancel={() => setPanel('none')}
        />
      )}
      {panel === 'delete' && (
        <div class="state confirm">
          <p>
            Delete this webhook and its delivery log? Events still waiting for it are dropped. This cannot be
            undone.
          </p>
          <p class="row-tools">
            <button
              type="button"
              class="danger"
              disabled={busy}
              onClick={() =>
                act(async () => {
                  await done(api.v1.admin.webhooks[':id'].$delete({ param: { id: endpoint.id } }));
                  onChanged();
                })
              }
            >
              Delete webhook
            </button>
            <button type="button" onClick={() => setPanel('none')}>
              Keep it
            </button>
          </p>
        </div>
      )}
      {message && (
        <p class={`state outcome outcome-${message.tone}`} role="status">
          {message.text}
        </p>
      )}
      <DeliveryLog endpointId={endpoint.id} version={logVersion} label={endpoint.url} admin={admin} />
    </article>
  );
}

function RotateForm({
  endpointId,
  onRotated,
  onCancel,
}: {
  endpointId: string;
  onRotated(secret: string, overlapHours: number): void;
  onCancel(): void;
}) {
  const [hours, setHours] = useState('24');
  const [server, setServer] = useState<string | undefined>(undefined);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = `overlap-${endpointId}`;
  const parsed = webhookSecretRotation.safeParse({
    overlapHours: hours.trim() === '' ? Number.NaN : Number(hours),
  });
  const error = server ?? (parsed.success ? undefined : parsed.error.issues.map((i) => issueText(i))[0]);
  return (
    <form
      class="state rotate"
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        if (!parsed.success) return;
        setBusy(true);
        setFailure(null);
        try {
          const rotated = await ok(
            api.v1.admin.webhooks[':id'].secret.$post({ param: { id: endpointId }, json: parsed.data }),
          );
          onRotated(rotated.secret, parsed.data.overlapHours);
        } catch (err) {
          const fields = serverFieldErrors(err);
          setServer(fields.overlapHours);
          if (!fields.overlapHours) setFailure(messageOf(err));
        } finally {
          setBusy(false);
        }
      }}
    >
      <p>
        A new signing secret, shown once. The previous one keeps signing beside it for the hours you give, so
        your receiver can switch over without refusing a delivery.
      </p>
      <label for={id}>Previous secret also signs for (hours, 0 to 720)</label>
      <input
        id={id}
        type="number"
        inputMode="numeric"
        min={0}
        max={720}
        value={hours}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(id, error)}
        onInput={(e) => {
          setHours(e.currentTarget.value);
          setServer(undefined);
        }}
      />
      <FieldError id={id} error={error} />
      {failure && (
        <p class="form-error" role="alert">
          {failure}
        </p>
      )}
      <p class="row-tools">
        <button type="submit" class="primary" disabled={busy || !parsed.success}>
          Rotate the secret
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </p>
    </form>
  );
}

const pageSize = 20;
const statusNames: Record<WebhookDelivery['status'], string> = {
  pending: 'Pending',
  delivered: 'Delivered',
  failed: 'Failed',
};

/** An endpoint's delivery log, newest first, 20 a page, "Show older" for the next. */
function DeliveryLog({
  endpointId,
  version,
  label,
  admin,
}: {
  endpointId: string;
  version: number;
  label: string;
  admin: boolean;
}) {
  const [status, setStatus] = useState<WebhookDelivery['status'] | ''>('');
  const [refresh, setRefresh] = useState(0);
  const first = useLoad(
    () =>
      ok(
        api.v1.admin.webhooks[':id'].deliveries.$get({
          param: { id: endpointId },
          query: { limit: String(pageSize), ...(status ? { status } : {}) },
        }),
      ),
    [endpointId, version, status, refresh],
  );
  const [older, setOlder] = useState<WebhookDeliveryPage[]>([]);
  const [loadingMore, setLoadingMore] = useState<string | null>(null);
  const [moreError, setMoreError] = useState<Error | null>(null);
  // A new first page starts the list again: older pages were read against the one before.
  useEffect(() => setOlder([]), [first.data]);
  const pages = first.state === 'ready' ? [first.data, ...older] : [];
  const deliveries = pages.flatMap((p) => p.deliveries);
  const next = pages.at(-1)?.next ?? null;
  const logId = `log-${endpointId}`;

  const showOlder = async () => {
    if (!next) return;
    setLoadingMore(next);
    setMoreError(null);
    try {
      const page = await ok(
        api.v1.admin.webhooks[':id'].deliveries.$get({
          param: { id: endpointId },
          query: { limit: String(pageSize), before: next, ...(status ? { status } : {}) },
        }),
      );
      setOlder((o) => [...o, page]);
    } catch (error) {
      setMoreError(error instanceof Error ? error : new Error(String(error)));
    } finally {
      setLoadingMore(null);
    }
  };

  return (
    <section class="delivery-log" aria-labelledby={logId}>
      <div class="heading">
        <h4 id={logId}>Delivery log</h4>
        <div class="tools">
          <label class="inline">
            Status{' '}
            <select
              value={status}
              onChange={(e) => setStatus(e.currentTarget.value as WebhookDelivery['status'] | '')}
            >
              <option value="">All</option>
              <option value="pending">Pending</option>
              <option value="delivered">Delivered</option>
              <option value="failed">Failed</option>
            </select>
          </label>
          <button type="button" onClick={() => setRefresh((n) => n + 1)}>
            Refresh <span class="visually-hidden">the delivery log of {label}</span>
          </button>
        </div>
      </div>
      {first.state === 'loading' && <Loading what="deliveries" />}
      {first.state === 'error' && <ErrorNote error={first.error} retry={() => setRefresh((n) => n + 1)} />}
      {first.state === 'ready' && deliveries.length === 0 && (
        <Empty title={status ? `No ${status} delivery.` : 'No delivery yet.'}>
          {status
            ? 'Choose “All” to see the others.'
            : admin
              ? 'Send a test event to check the receiver; alerts appear here as they fire (delivered ones are kept 7 days, failed ones 30).'
              : 'Deliveries appear here as alerts fire (delivered ones are kept 7 days, failed ones 30).'}
        </Empty>
      )}
      {deliveries.length > 0 && (
        <TableWrap aria-label={`Deliveries to ${label}`}>
          <table class="compact deliveries">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">Response</th>
                <th scope="col">Attempts</th>
                <th scope="col">Next retry</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.map((d) => (
                <tr key={d.id}>
                  <th scope="row">
                    <time dateTime={d.createdAt}>{dateTime(d.createdAt)}</time>
                  </th>
                  <td>
                    <code>{d.eventType}</code>
                  </td>
                  <td>
                    <span class={`pill pill-${d.status}`}>{statusNames[d.status]}</span>
                  </td>
                  <td class="num">{d.lastStatusCode ?? (d.attempts > 0 ? 'no answer' : dash)}</td>
                  <td>
                    {d.log.length > 1 ? (
                      <details>
                        <summary>
                          {count(d.attempts)} ({count(d.attempts - 1)}{' '}
                          {d.attempts === 2 ? 'retry' : 'retries'})
                        </summary>
                        <ol class="attempts">
                          {d.log.map((a) => (
                            <li key={a.at}>
                              {dateTime(a.at)}: {a.statusCode ?? 'no answer'}, {a.durationMs} ms
                              {a.error ? `, ${a.error}` : ''}
                            </li>
                          ))}
                        </ol>
                      </details>
                    ) : (
                      count(d.attempts)
                    )}
                  </td>
                  <td>{d.nextAttemptAt ? dateTime(d.nextAttemptAt) : dash}</td>
                  <td class="error-text">{d.lastError ?? dash}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {moreError && <ErrorNote error={moreError} retry={showOlder} />}
      {next && (
        <p>
          <button type="button" disabled={loadingMore !== null} onClick={showOlder}>
            {loadingMore ? 'Loading older deliveries…' : 'Show older deliveries'}
          </button>
        </p>
      )}
    </section>
  );
}

// ---------------------------------------------------------------------------------------------
// Alert rules

type Param = { key: string; label: string; percent?: boolean };
/** Each rule in words (README, "Alerts"), and the thresholds it has beside `cooldownDays`. */
const ruleText: Record<AlertRule, { name: string; fires: string; params: Param[] }> = {
  bandDowngrade: {
    name: 'Band went down',
    fires: 'the health band is worse than in the snapshot before (green to yellow, yellow to red…)',
    params: [],
  },
  scoreDrop: {
    name: 'Score dropped',
    fires: 'the score fell by at least the points below against the given days before',
    params: [
      { key: 'points', label: 'Points dropped, at least' },
      { key: 'days', label: 'Compared with (days before)' },
    ],
  },
  detractor: { name: 'Detractor answer', fires: 'a member answered NPS 0 to 6 that day', params: [] },
  paymentPastDue: {
    name: 'Payment past due',
    fires: 'the paymentStatus trait is past_due or failed',
    params: [],
  },
  renewalAtRisk: {
    name: 'Renewal at risk',
    fires: 'the renewalDate trait is near and the band is not green',
    params: [{ key: 'withinDays', label: 'Renewal within (days)' }],
  },
  lowAdoption: {
    name: 'Low adoption',
    fires: 'after some days, the account uses under a share of the core features',
    params: [
      { key: 'afterDays', label: 'After (days)' },
      { key: 'below', label: 'Core features used, under (%)', percent: true },
    ],
  },
};

type RuleDraft = Record<AlertRule, Record<string, string | boolean>>;

/** The form's text for saved rules: shares as percentages. */
function draftOf(rules: AlertRules): RuleDraft {
  const out = {} as RuleDraft;
  for (const rule of alertRuleNames) {
    const fields: Record<string, string | boolean> = {};
    for (const [key, value] of Object.entries(rules[rule]))
      fields[key] =
        typeof value === 'boolean'
          ? value
          : String(
              ruleText[rule].params.find((p) => p.key === key)?.percent ? +(value * 100).toFixed(6) : value,
            );
    out[rule] = fields;
  }
  return out;
}

/** The rules a draft stands for (numbers parsed, percentages back to shares), unchecked. */
function rulesOf(draft: RuleDraft): Record<AlertRule, Record<string, number | boolean>> {
  const out = {} as Record<AlertRule, Record<string, number | boolean>>;
  for (const rule of alertRuleNames) {
    const fields: Record<string, number | boolean> = {};
    for (const [key, value] of Object.entries(draft[rule])) {
      if (typeof value === 'boolean') fields[key] = value;
      else {
        const n = value.trim() === '' ? Number.NaN : Number(value);
        fields[key] = ruleText[rule].params.find((p) => p.key === key)?.percent ? n / 100 : n;
      }
    }
    out[rule] = fields;
  }
  return out;
}

function AlertRulesSection({ admin }: { admin: boolean }) {
  const { workspace } = useSession();
  const saved = useLoad(() => ok(api.v1.admin.alerts.rules.$get()), [workspace.id]);
  return (
    <section aria-labelledby="alert-rules">
      <h2 id="alert-rules">Alert rules</h2>
      <p>
        Each day’s health run checks every account against these rules; an alert that fires lands in the{' '}
        <a href={`${base}/health`}>Health</a> inbox and is posted to the webhooks that receive{' '}
        <code>alert.created</code>. After a rule fires for an account it stays quiet for that account for its
        cooldown.
      </p>
      {saved.state === 'loading' && <Loading what="alert rules" />}
      {saved.state === 'error' && <ErrorNote error={saved.error} retry={saved.reload} />}
      {saved.state === 'ready' && <AlertRulesForm loaded={saved.data} admin={admin} />}
    </section>
  );
}

function AlertRulesForm({ loaded, admin }: { loaded: AlertRules; admin: boolean }) {
  // What the server holds: as loaded, then as each save answers it.
  const [saved, setSaved] = useState<AlertRules>(loaded);
  const [draft, setDraft] = useState<RuleDraft>(() => draftOf(loaded));
  const [result, setResult] = useState<{ text: string; failed: boolean } | null>(null);
  const [server, setServer] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  const values = rulesOf(draft);
  const parsed = alertRules.safeParse(values);
  const errors: Record<string, string> = { ...server };
  if (!parsed.success)
    for (const issue of parsed.error.issues) {
      const [rule, key] = issue.path.map(String);
      const param = ruleText[rule as AlertRule]?.params.find((p) => p.key === key);
      errors[`${rule}.${key}`] ??= issueText(issue, param?.percent ? { by: 100, unit: '%' } : undefined);
    }
  // Only what changed is sent: a colleague's change to another rule meanwhile is kept.
  const patch: Record<string, Record<string, number | boolean>> = {};
  for (const rule of alertRuleNames)
    for (const [key, value] of Object.entries(values[rule]))
      if (value !== (saved[rule] as Record<string, number | boolean>)[key])
        patch[rule] = { ...patch[rule], [key]: value };
  const changed = Object.keys(patch).length > 0;

  const set = (rule: AlertRule, key: string, value: string | boolean) => {
    setDraft((d) => ({ ...d, [rule]: { ...d[rule], [key]: value } }));
    setServer(({ [`${rule}.${key}`]: _gone, ...rest }) => rest);
    setResult(null);
  };

  return (
    <form
      class="alert-rules"
      noValidate
      aria-describedby={admin ? undefined : 'read-only'}
      onSubmit={async (e) => {
        e.preventDefault();
        if (!parsed.success || !changed) return;
        setBusy(true);
        setResult(null);
        try {
          const answer = await ok(api.v1.admin.alerts.rules.$patch({ json: patch as AlertRulesPatch }));
          setSaved(answer);
          setDraft(draftOf(answer));
          setResult({ text: 'Alert rules saved.', failed: false });
        } catch (error) {
          const fields: Record<string, string> = {};
          if (error instanceof ApiFailure)
            for (const f of error.problem?.errors ?? []) {
              const [, rule, key] = f.pointer.split('/');
              fields[`${rule}.${key}`] = f.detail;
            }
          setServer(fields);
          setResult({ text: messageOf(error), failed: true });
        } finally {
          setBusy(false);
        }
      }}
    >
      <fieldset class="rules" disabled={!admin}>
        <legend class="visually-hidden">Alert rules</legend>
        {alertRuleNames.map((rule) => {
          const text = ruleText[rule];
          const on = draft[rule].enabled === true;
          const field = (key: string, label: string) => {
            const id = `rule-${rule}-${key}`;
            const error = errors[`${rule}.${key}`];
            return (
              <div class="rule-field" key={key}>
                <label for={id}>{label}</label>
                <input
                  id={id}
                  type="number"
                  inputMode="decimal"
                  value={String(draft[rule][key] ?? '')}
                  aria-invalid={error ? 'true' : undefined}
                  aria-describedby={describedBy(id, error)}
                  onInput={(e) => set(rule, key, e.currentTarget.value)}
                />
                <FieldError id={id} error={error} />
              </div>
            );
          };
          return (
            <fieldset class="rule" key={rule}>
              <legend>{text.name}</legend>
              <p class="muted">Fires when {text.fires}.</p>
              <label class="check">
                <input
                  type="checkbox"
                  checked={on}
                  onChange={(e) => set(rule, 'enabled', e.currentTarget.checked)}
                />
                On<span class="visually-hidden"> ({text.name})</span>
              </label>
              <div class="rule-fields">
                {text.params.map((p) => field(p.key, p.label))}
                {field('cooldownDays', 'Cooldown (days)')}
              </div>
            </fieldset>
          );
        })}
      </fieldset>
      {admin && (
        <p class="row-tools">
          <button type="submit" class="primary" disabled={busy || !changed || !parsed.success}>
            {busy ? 'Saving…' : 'Save alert rules'}
          </button>
          <button type="button" disabled={busy || !changed} onClick={() => setDraft(draftOf(saved))}>
            Undo changes
          </button>
          <span class="muted">
            {!parsed.success ? 'Fix the fields marked above to save.' : changed ? '' : 'No unsaved change.'}
          </span>
        </p>
      )}
      {result && (
        <p class={result.failed ? 'form-error' : 'state'} role={result.failed ? 'alert' : 'status'}>
          {result.text}
        </p>
      )}
    </form>
  );
}
