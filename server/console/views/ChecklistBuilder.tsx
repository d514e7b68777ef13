import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import type { ChecklistContentInput, ChecklistRecord } from '../../../shared/schemas/checklist.ts';
import { ApiFailure, api, ok } from '../api.ts';
import { type FieldErrors, newChecklist, problemErrors, validateDraft } from '../checklist-form.ts';
import { AudienceFields } from '../components/builder-conditions.tsx';
import {
  CheckField,
  ErrorsContext,
  fieldId,
  NumberField,
  SelectField,
  TextField,
} from '../components/builder-fields.tsx';
import { ChecklistItems, type Choice } from '../components/checklist-items.tsx';
import { ChecklistTranslations } from '../components/checklist-translations.tsx';
import { ErrorNote, Loading, useLoad } from '../components/ui.tsx';
import { VersionHistory } from '../components/version-history.tsx';
import { WidgetPreview } from '../components/WidgetPreview.tsx';
import { dateTime } from '../format.ts';
import { base, useSession } from '../session.ts';

const checklists = api.v1.admin.checklists;
const addressOf = (id: string) => `${base}/content/checklists/${encodeURIComponent(id)}`;

/** What the builder needs besides the checklist: what its items may point at. */
async function loadChoices() {
  const [milestones, spotlights] = await Promise.all([
    ok(api.v1.admin.milestones.$get()),
    ok(api.v1.admin.spotlights.$get()),
  ]);
  return {
    milestones: milestones.milestones.map((m): Choice => ({ value: m.key, label: `${m.name} (${m.key})` })),
    spotlights: spotlights.spotlights
      .filter((s) => s.status === 'active')
      .map((s): Choice => ({ value: s.id, label: s.name })),
  };
}

/**
 * The checklist builder (`/app/content/checklists/new` and `/:id`): every field of a checklist in a
 * form, checked as it is typed with the schema the server uses, saved as a draft, published as a
 * new version, archived; the published versions and what changed between two of them (README,
 * "Console").
 */
export default function ChecklistBuilder() {
  const { params } = useRoute();
  const { workspace } = useSession();
  // `/content/checklists/new` is this same route: a new checklist has no id yet.
  const id = params.id === 'new' ? undefined : params.id;
  const view = useLoad(
    () =>
      Promise.all([
        id ? ok(checklists[':id'].$get({ param: { id } })) : Promise.resolve(null),
        loadChoices(),
      ]),
    [workspace.id, id],
  );
  if (view.state === 'loading') return <Loading what="the checklist" />;
  if (view.state === 'error') return <ErrorNote error={view.error} retry={view.reload} />;
  const [record, choices] = view.data;
  return <Editor key={record?.id ?? 'new'} initial={record} {...choices} />;
}

type Status = { tone: 'done' | 'error'; text: string } | null;

function Editor({
  initial,
  milestones,
  spotlights,
}: {
  initial: ChecklistRecord | null;
  milestones: readonly Choice[];
  spotlights: readonly Choice[];
}) {
  const { can } = useSession();
  const location = useLocation();
  const [record, setRecord] = useState(initial);
  const start = useMemo(
    () =>
      initial ? { name: initial.name, content: initial.draft as ChecklistContentInput } : newChecklist(),
    [initial],
  );
  const [name, setName] = useState(start.name);
  const [content, setContent] = useState<ChecklistContentInput>(start.content);
  const [keys, setKeys] = useState(() => start.content.items.map((_, i) => i + 1));
  const [saved, setSaved] = useState(() => (initial ? JSON.stringify(start) : null));
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [showSummary, setShowSummary] = useState(false);
  // A checklist just created opens at its own address, saying what was done (`?created`, `?published=N`).
  const [status, setStatus] = useState<Status>(() => {
    const { created, published } = location.query;
    if (published)
      return {
        tone: 'done',
        text: `Created and published as version ${published}: end users in its audience see it now.`,
      };
    if (created)
      return {
        tone: 'done',
        text: 'Created: the draft is saved. End users see nothing until it is published.',
      };
    return null;
  });
  useEffect(() => {
    if (location.query.created || location.query.published) location.route(location.path, true);
  }, []);
  const [busy, setBusy] = useState(false);
  const [confirmArchive, setConfirmArchive] = useState(false);
  const [historyGeneration, setHistoryGeneration] = useState(0);
  const summary = useRef<HTMLDivElement>(null);
  /** Bumped to move the focus to the list of errors once it is drawn. */
  const [summoned, setSummoned] = useState(0);
  useEffect(() => {
    if (summoned) summary.current?.focus();
  }, [summoned]);
  const showErrors = () => {
    setShowSummary(true);
    setSummoned((n) => n + 1);
  };

  const draft = { name, content };
  const clientErrors = useMemo(() => validateDraft({ name, content }), [name, content]);
  const errors = { ...clientErrors, ...serverErrors };
  const dirty = saved !== JSON.stringify(draft);
  const archived = record?.status === 'archived';
  const canAuthor = can('editor');
  const readOnly = !canAuthor || archived;
  // The preview draws the saved draft as delivery would send it (README, "Console"), in each language.
  const previewLocales = [content.locale ?? 'en', ...Object.keys(content.translations ?? {})];
  const recordId = record?.id;
  // `saved` changes with each save, and with it what the server delivers.
  const deliver = useCallback(
    (locale: string) =>
      ok(checklists[':id'].preview.$post({ param: { id: recordId ?? '' }, json: { locale } })).then(
        (answer) => answer.delivered,
      ),
    [recordId, saved],
  );

  /** A change by the author: what the server said of the saved draft no longer applies. */
  const touched = () => {
    setServerErrors({});
    setStatus(null);
  };
  const edit =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      set(value);
      touched();
    };
  const setPart = <K extends keyof ChecklistContentInput>(key: K) =>
    edit((value: ChecklistContentInput[K]) => setContent((c) => ({ ...c, [key]: value })));

  /** Runs a change against the API; field errors it answers go to their fields. */
  const act = async <T,>(run: () => Promise<T>, done: (result: T) => string): Promise<T | null> => {
    setBusy(true);
    try {
      const result = await run();
      setStatus({ tone: 'done', text: done(result) });
      return result;
    } catch (error) {
      if (error instanceof ApiFailure && error.problem?.errors?.length) {
        setServerErrors(problemErrors(error.problem.errors));
        showErrors();
      }
      setStatus({ tone: 'error', text: error instanceof Error ? error.message : String(error) });
      return null;
    } finally {
      setBusy(false);
    }
  };

  /**
   * Saves the draft (creating the checklist the first time, then opening it at its address unless
   * `stay`); null when it could not.
   */
  const save = async (stay = false): Promise<ChecklistRecord | null> => {
    if (Object.keys(clientErrors).length > 0) {
      showErrors();
      setStatus({ tone: 'error', text: 'Not saved: fix the fields marked below.' });
      return null;
    }
    const sent = JSON.stringify(draft);
    const result = await act(
      () =>
        record
          ? ok(checklists[':id'].$put({ param: { id: record.id }, json: draft }))
          : ok(checklists.$post({ json: draft })),
      () => 'Draft saved. End users see it once it is published.',
    );
    if (!result) return null;
    setSaved(sent);
    setRecord(result);
    setShowSummary(false);
    if (!record && !stay) location.route(`${addressOf(result.id)}?created=1`, true);
    return result;
  };

  const publish = async () => {
    const current = dirty || !record ? await save(true) : record;
    if (!current) return;
    const version = await act(
      () => ok(checklists[':id'].publish.$post({ param: { id: current.id } })),
      (v) => `Published as version ${v.version}: end users in its audience see it now.`,
    );
    if (!record)
      location.route(
        `${addressOf(current.id)}?${version ? `published=${version.version}` : 'created=1'}`,
        true,
      );
    if (!version) return;
    setRecord({ ...current, publishedVersion: version.version, hasUnpublishedChanges: false });
    setHistoryGeneration((n) => n + 1);
  };

  const archive = async () => {
    if (!record) return;
    const result = await act(
      () => ok(checklists[':id'].archive.$post({ param: { id: record.id } })),
      () => 'Archived: shown to nobody now; its versions are kept.',
    );
    setConfirmArchive(false);
    if (result) setRecord(result);
  };

  const errorList = Object.entries(errors);
  const state = !record
    ? 'Not saved yet'
    : archived
      ? 'Archived'
      : record.publishedVersion === null
        ? 'Draft, never published'
        : `Published version ${record.publishedVersion}${record.hasUnpublishedChanges || dirty ? ', with changes not yet published' : ''}`;

  return (
    <ErrorsContext.Provider value={errors}>
      <p class="crumbs">
        <a href={`${base}/content`}>Content</a> › Checklists
      </p>
      <div class="heading">
        <h1>{record ? `Checklist: ${record.name}` : 'New checklist'}</h1>
      </div>
      <p class="lead">
        {state}
        {dirty && !readOnly && ' · unsaved changes'}
      </p>
      {!canAuthor && (
        <p class="state" id="read-only-note">
          You are a viewer in this workspace: you can read this checklist but not change it. An owner or admin
          can make you an editor.
        </p>
      )}
      {archived && canAuthor && (
        <p class="state" id="read-only-note">
          This checklist is archived: nobody sees it, and it can no longer be edited or published. Its
          versions are kept below.
        </p>
      )}
      <div class="builder-actions">
        <button type="submit" form="checklist-form" class="primary" disabled={readOnly || busy}>
          Save draft
        </button>
        <button type="button" disabled={readOnly || busy} onClick={publish}>
          {dirty || !record ? 'Save and publish' : 'Publish'}
        </button>
        {record &&
          !archived &&
          (confirmArchive ? (
            <span class="confirm">
              Archive it? End users stop seeing it; its history is kept.{' '}
              <button type="button" disabled={readOnly || busy} onClick={archive}>
                Yes, archive
              </button>{' '}
              <button type="button" onClick={() => setConfirmArchive(false)}>
                Keep it
              </button>
            </span>
          ) : (
            <button type="button" disabled={readOnly || busy} onClick={() => setConfirmArchive(true)}>
              Archive
            </button>
          ))}
      </div>
      <div
        role="status"
        class={status ? `state ${status.tone === 'error' ? 'error' : ''}` : 'visually-hidden'}
      >
        {status?.text}
      </div>
      {showSummary && errorList.length > 0 && (
        <div class="state error error-summary" ref={summary} tabIndex={-1}>
          <p>
            <strong>
              {errorList.length === 1 ? 'One field needs' : `${errorList.length} fields need`} a change:
            </strong>
          </p>
          <ul class="error-list">
            {errorList.map(([pointer, message]) => (
              <li key={pointer}>
                <a href={`#${fieldId(pointer)}`}>
                  <code>{pointer.replace(/^\/content/, '') || '/'}</code> {message}
                </a>
              </li>
            ))}
          </ul>
        </div>
      )}
      <div class="builder">
        <form
          id="checklist-form"
          class="builder-form"
          noValidate
          aria-label="Checklist"
          aria-describedby={readOnly ? 'read-only-note' : undefined}
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          {/* A disabled fieldset disables every control in it: a viewer or an archived checklist reads only. */}
          <fieldset class="plain" disabled={readOnly}>
            <section aria-labelledby="b-basics">
              <h2 id="b-basics">Checklist</h2>
              <TextField
                label="Name"
                at="/name"
                hint="For your team only: how the checklist is listed in the console"
                value={name}
                onInput={edit(setName)}
              />
              <TextField
                label="Title"
                at="/content/title"
                hint="What end users see at the top"
                value={content.title}
                onInput={setPart('title')}
              />
              <TextField
                label="Description"
                at="/content/description"
                multiline
                value={content.description ?? ''}
                onInput={setPart('description')}
              />
              <SelectField<'user' | 'account'>
                label="Completed by"
                at="/content/scope"
                value={content.scope ?? 'user'}
                options={[
                  ['user', 'each user on their own'],
                  ['account', 'the account: an item done by one member is done for all'],
                ]}
                onChange={setPart('scope')}
              />
            </section>
            <section aria-labelledby="b-items">
              <h2 id="b-items">Items</h2>
              <ChecklistItems
                at="/content/items"
                items={content.items}
                keys={keys}
                milestones={milestones}
                spotlights={spotlights}
                onChange={(items, nextKeys) => {
                  touched();
                  setContent((c) => ({ ...c, items }));
                  setKeys(nextKeys);
                }}
              />
            </section>
            <section aria-labelledby="b-audience">
              <h2 id="b-audience">Audience</h2>
              <AudienceFields
                at="/content/audience"
                audience={content.audience ?? {}}
                onChange={setPart('audience')}
              />
            </section>
            <section aria-labelledby="b-display">
              <h2 id="b-display">Display</h2>
              <SelectField
                label="Position"
                at="/content/display/position"
                value={content.display?.position ?? 'bottom-right'}
                options={[
                  ['bottom-right', 'Bottom right'],
                  ['bottom-left', 'Bottom left'],
                ]}
                onChange={(position) => setPart('display')({ ...content.display, position })}
              />
              <CheckField
                label="Open the panel the first time a user sees it"
                at="/content/display/openOnFirstView"
                checked={content.display?.openOnFirstView ?? true}
                onChange={(openOnFirstView) => setPart('display')({ ...content.display, openOnFirstView })}
              />
              <CheckField
                label="Users may dismiss the whole checklist"
                at="/content/display/dismissible"
                checked={content.display?.dismissible ?? true}
                onChange={(dismissible) => setPart('display')({ ...content.display, dismissible })}
              />
              <NumberField
                label="Priority"
                at="/content/priority"
                min={0}
                max={100}
                hint="0 to 100: where a user has several checklists, the highest comes first"
                value={content.priority}
                onInput={setPart('priority')}
              />
            </section>
            <section aria-labelledby="b-languages">
              <h2 id="b-languages">Languages</h2>
              <TextField
                label="Language of the texts above"
                at="/content/locale"
                hint="A language tag such as en, fr or pt-BR"
                value={content.locale ?? 'en'}
                onInput={setPart('locale')}
              />
              <ChecklistTranslations
                at="/content/translations"
                content={content}
                onChange={setPart('translations')}
              />
            </section>
          </fieldset>
        </form>
        <aside class="builder-side" aria-label="Preview and status">
          {record && canAuthor ? (
            <WidgetPreview
              kind="checklist"
              label="Preview of the saved draft"
              locales={previewLocales}
              deliver={deliver}
            />
          ) : (
            <p class="muted">
              {record
                ? 'The live preview is for editors, admins and owners.'
                : 'Save the draft to see it drawn by the widget here.'}
            </p>
          )}
          {record && dirty && (
            <p class="muted">The preview shows the saved draft: save to see your changes.</p>
          )}
          <dl class="facts">
            <dt>Status</dt>
            <dd>{state}</dd>
            <dt>Items</dt>
            <dd>{content.items.length}</dd>
            <dt>Last saved</dt>
            <dd>{record ? dateTime(record.draftUpdatedAt) : 'never'}</dd>
            {record && (
              <>
                <dt>Created</dt>
                <dd>{dateTime(record.createdAt)}</dd>
                <dt>Id</dt>
                <dd>
                  <code>{record.id}</code>
                </dd>
              </>
            )}
          </dl>
        </aside>
      </div>
      {record && (
        <section aria-labelledby="b-history">
          <h2 id="b-history">Version history</h2>
          <History id={record.id} generation={historyGeneration} draft={record.draft} />
        </section>
      )}
    </ErrorsContext.Provider>
  );
}

/** The published versions (`/versions`), and the differences between two (`/versions/{version}`). */
function History({ id, generation, draft }: { id: string; generation: number; draft: unknown }) {
  const versions = useLoad(() => ok(checklists[':id'].versions.$get({ param: { id } })), [id, generation]);
  if (versions.state === 'loading') return <Loading what="the versions" />;
  if (versions.state === 'error') return <ErrorNote error={versions.error} retry={versions.reload} />;
  return (
    <VersionHistory
      // A new version starts the comparison over, at it and the one before.
      key={versions.data.versions[0]?.version ?? 0}
      versions={versions.data.versions}
      draft={draft}
      load={async (version) =>
        (await ok(checklists[':id'].versions[':version'].$get({ param: { id, version: String(version) } })))
          .content
      }
    />
  );
}
