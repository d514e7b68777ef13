import { useCallback, useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import { selectorProblem } from '../../../shared/css-selector.ts';
import {
  type SpotlightContent,
  type SpotlightStep,
  spotlightDraftInput,
  stepKinds,
  type Trigger,
} from '../../../shared/schemas/spotlight.ts';
import { api, ok } from '../api.ts';
import {
  AudienceFields,
  BuilderFrame,
  CheckField,
  type ContentEndpoints,
  type FieldErrors,
  NumberField,
  newUrlRule,
  SelectField,
  TextField,
  UrlRuleFields,
  useContentBuilder,
} from '../components/builder/fields.tsx';
import { WidgetPreview } from '../components/WidgetPreview.tsx';
import { type Picked, pickElement } from '../pick.ts';
import { base, useSession } from '../session.ts';

/** The spotlight admin routes, through the typed client. */
const spotlights: ContentEndpoints<SpotlightContent> = {
  get: (id) => ok(api.v1.admin.spotlights[':id'].$get({ param: { id } })),
  create: (json) => ok(api.v1.admin.spotlights.$post({ json })),
  update: (id, json) => ok(api.v1.admin.spotlights[':id'].$put({ param: { id }, json })),
  publish: (id) => ok(api.v1.admin.spotlights[':id'].publish.$post({ param: { id } })),
  archive: (id) => ok(api.v1.admin.spotlights[':id'].archive.$post({ param: { id } })),
  versions: async (id) =>
    (await ok(api.v1.admin.spotlights[':id'].versions.$get({ param: { id } }))).versions,
  preview: (id, url) =>
    ok(api.v1.admin.spotlights[':id'].preview.$post({ param: { id }, json: { url, expiresInMinutes: 60 } })),
};

/** Where the page an author last picked elements on is remembered, in this browser. */
const pickPageKey = 'waymark:console:pick-page';

/** Runs the element picker (README, "Element picker") and hands the author's choice to `done`. */
type Pick = (done: (choice: Picked) => void) => void;

/** Every selector's problem by pointer, as the server checks them when saving (shared/css-selector.ts). */
function selectorErrors(content: SpotlightContent): FieldErrors {
  const errors: Record<string, string> = {};
  content.steps.forEach((step, index) => {
    const problem = step.anchor?.selector ? selectorProblem(step.anchor.selector) : null;
    if (problem) errors[`/content/steps/${index}/anchor/selector`] = problem;
  });
  if (content.trigger.kind === 'click' && content.trigger.selector) {
    const problem = selectorProblem(content.trigger.selector);
    if (problem) errors['/content/trigger/selector'] = problem;
  }
  return errors;
}

/** A step id no other step has: `step-1`, `step-2`... */
const freshId = (steps: readonly SpotlightStep[]) => {
  let n = steps.length + 1;
  while (steps.some((s) => s.id === `step-${n}`)) n++;
  return `step-${n}`;
};

const newStep = (id: string, kind: SpotlightStep['kind']): SpotlightStep => ({
  id,
  kind,
  title: '',
  body: '',
  ...(kind === 'modal' ? {} : { anchor: { selector: '', pierceShadow: true } }),
  placement: { side: 'bottom', align: 'center', offset: 10 },
  advance: 'next',
  whenMissing: 'wait',
  waitSeconds: 10,
  whenHidden: 'center',
  backdrop: false,
});

const kindWords: Record<SpotlightStep['kind'], string> = {
  hotspot: 'Hotspot: a pulsing beacon that opens a tooltip',
  tooltip: 'Tooltip beside an element',
  modal: 'Modal in the middle of the screen',
};

/** One step's fields: what it is, where it points, its words, when it moves on. */
function StepFields({
  step,
  index,
  errors,
  onChange,
  pick,
  pickReason,
}: {
  step: SpotlightStep;
  index: number;
  errors: FieldErrors;
  onChange(step: SpotlightStep): void;
  /** Null while picking cannot start, for `pickReason`. */
  pick: Pick | null;
  pickReason: string | null;
}) {
  const at = `/content/steps/${index}`;
  const common = { errors };
  const optional = step.kind === 'modal';
  return (
    <>
      <div class="field-row">
        <SelectField
          {...common}
          label={`Step ${index + 1}: kind`}
          pointer={`${at}/kind`}
          value={step.kind}
          options={stepKinds.map((k) => [k, kindWords[k]] as const)}
          onChange={(kind) =>
            onChange({
              ...step,
              kind,
              anchor: step.anchor ?? (kind === 'modal' ? undefined : { selector: '', pierceShadow: true }),
            })
          }
        />
        <TextField
          {...common}
          label={`Step ${index + 1}: id`}
          pointer={`${at}/id`}
          hint="Lowercase letters, digits, - and _; translations and reports name the step by it."
          value={step.id}
          onInput={(id) => onChange({ ...step, id: id.trim() })}
        />
      </div>
      <TextField
        {...common}
        label={`Step ${index + 1}: title`}
        pointer={`${at}/title`}
        maxLength={120}
        value={step.title}
        onInput={(title) => onChange({ ...step, title })}
      />
      <TextField
        {...common}
        label={`Step ${index + 1}: text`}
        pointer={`${at}/body`}
        hint="Plain text, or **bold**, *italic*, `code` and [links](https://…)."
        multiline
        maxLength={1000}
        value={step.body}
        onInput={(body) => onChange({ ...step, body })}
      />
      <TextField
        {...common}
        label={`Step ${index + 1}: element (CSS selector)${optional ? ', optional' : ''}`}
        pointer={`${at}/anchor/selector`}
        alsoErrors={[`${at}/anchor`]}
        hint='Prefer a stable attribute, such as [data-tour="export"].'
        value={step.anchor?.selector}
        placeholder='[data-tour="export"]'
        onInput={(selector) =>
          onChange({
            ...step,
            anchor:
              selector === '' && optional
                ? undefined
                : { ...(step.anchor ?? { pierceShadow: true }), selector },
          })
        }
        after={
          <button
            type="button"
            disabled={pick === null}
            title={pickReason ?? undefined}
            aria-label={`Pick the element of step ${index + 1} on your product`}
            onClick={() =>
              pick?.((choice) =>
                onChange({
                  ...step,
                  anchor: {
                    ...(step.anchor ?? { pierceShadow: true }),
                    selector: choice.selector,
                    text: choice.text,
                  },
                }),
              )
            }
          >
            Pick element
          </button>
        }
      />
      {step.anchor && (
        <div class="field-row">
          <TextField
            {...common}
            label={`Step ${index + 1}: only the element whose text contains`}
            pointer={`${at}/anchor/text`}
            maxLength={200}
            value={step.anchor.text}
            onInput={(text) =>
              step.anchor && onChange({ ...step, anchor: { ...step.anchor, text: text || undefined } })
            }
          />
          <CheckField
            {...common}
            label="Look inside web components (open shadow roots)"
            pointer={`${at}/anchor/pierceShadow`}
            checked={step.anchor.pierceShadow}
            onChange={(pierceShadow) =>
              step.anchor && onChange({ ...step, anchor: { ...step.anchor, pierceShadow } })
            }
          />
        </div>
      )}
      <div class="field-row">
        <SelectField
          {...common}
          label="Side of the element"
          pointer={`${at}/placement/side`}
          value={step.placement.side}
          options={[
            ['bottom', 'Below'],
            ['top', 'Above'],
            ['right', 'Right'],
            ['left', 'Left'],
          ]}
          onChange={(side) => onChange({ ...step, placement: { ...step.placement, side } })}
        />
        <SelectField
          {...common}
          label="Alignment"
          pointer={`${at}/placement/align`}
          value={step.placement.align}
          options={[
            ['center', 'Centred'],
            ['start', 'At the start'],
            ['end', 'At the end'],
          ]}
          onChange={(align) => onChange({ ...step, placement: { ...step.placement, align } })}
        />
        <NumberField
          {...common}
          label="Gap (px, 0 to 64)"
          pointer={`${at}/placement/offset`}
          min={0}
          max={64}
          value={step.placement.offset}
          onInput={(offset) => onChange({ ...step, placement: { ...step.placement, offset } })}
        />
        <SelectField
          {...common}
          label="Moves on when"
          pointer={`${at}/advance`}
          value={step.advance}
          options={[
            ['next', 'The user presses Next'],
            ['click', 'The user clicks the element'],
          ]}
          onChange={(advance) => onChange({ ...step, advance })}
        />
        <SelectField
          {...common}
          label="Element missing"
          pointer={`${at}/whenMissing`}
          value={step.whenMissing}
          options={[
            ['wait', 'Wait for it'],
            ['skip', 'Skip the step'],
          ]}
          onChange={(whenMissing) => onChange({ ...step, whenMissing })}
        />
        <NumberField
          {...common}
          label="Seconds to wait for it"
          pointer={`${at}/waitSeconds`}
          min={1}
          max={60}
          value={step.waitSeconds}
          onInput={(waitSeconds) => onChange({ ...step, waitSeconds })}
        />
        <SelectField
          {...common}
          label="Element there but hidden"
          pointer={`${at}/whenHidden`}
          value={step.whenHidden}
          options={[
            ['center', 'Show in the middle, move when it shows'],
            ['wait', 'Wait as if missing'],
            ['skip', 'Skip the step'],
          ]}
          onChange={(whenHidden) => onChange({ ...step, whenHidden })}
        />
        <CheckField
          {...common}
          label="Dim the page around the element"
          pointer={`${at}/backdrop`}
          checked={step.backdrop}
          onChange={(backdrop) => onChange({ ...step, backdrop })}
        />
      </div>
      <TextField
        {...common}
        label={`Step ${index + 1}: send the user to (a path), when elsewhere`}
        pointer={`${at}/pageUrl`}
        placeholder="/invoices"
        value={step.pageUrl}
        onInput={(pageUrl) => onChange({ ...step, pageUrl: pageUrl.trim() || undefined })}
      />
      <CheckField
        {...common}
        label="This step belongs to one page"
        pointer={`${at}/page`}
        checked={step.page !== undefined}
        onChange={(on) => onChange({ ...step, page: on ? newUrlRule() : undefined })}
      />
      {step.page && (
        <UrlRuleFields
          label={`Step ${index + 1} page`}
          rule={step.page}
          pointer={`${at}/page`}
          errors={errors}
          onChange={(page) => onChange({ ...step, page })}
        />
      )}
    </>
  );
}

/** What starts the tour: the page, an event, a click, some time. */
function triggerOf(kind: Trigger['kind'], before: Trigger): Trigger {
  if (kind === before.kind) return before;
  if (kind === 'event') return { kind, event: '', where: [] };
  if (kind === 'click') return { kind, selector: '' };
  if (kind === 'delay') return { kind, seconds: 5 };
  return { kind: 'page' };
}

/**
 * The tour and spotlight builder (`/app/content/spotlights/new`, `/app/content/spotlights/:id`):
 * steps added, removed and reordered (dragged, or moved with buttons, announced), each selector
 * checked as typed by the CSS parser the server uses; trigger, frequency, audience (README, "Console").
 */
export default function SpotlightBuilder() {
  const { params } = useRoute();
  const location = useLocation();
  const { can } = useSession();
  const builder = useContentBuilder<SpotlightContent>({
    id: params.id ?? 'new',
    endpoints: spotlights,
    schema: spotlightDraftInput,
    initial: () => ({
      name: 'New tour',
      content: {
        steps: [newStep('step-1', 'tooltip')],
        trigger: { kind: 'page' },
        audience: { match: 'all', conditions: [], urls: [], excludeUrls: [] },
        frequency: { mode: 'untilDone' },
        priority: 50,
        dismissible: true,
        locale: 'en',
        translations: {},
      },
    }),
    created: (id) => location.route(`${base}/content/spotlights/${id}`, true),
    check: selectorErrors,
  });
  const { content, errors, edit } = builder;
  const [announced, setAnnounced] = useState('');
  const [dragged, setDragged] = useState<number | null>(null);
  const set = (patch: Partial<SpotlightContent>) => edit.setContent({ ...content, ...patch });
  const steps = content.steps;
  const move = (from: number, to: number) => {
    if (to < 0 || to >= steps.length || from === to) return;
    const next = [...steps];
    const [step] = next.splice(from, 1);
    if (!step) return;
    next.splice(to, 0, step);
    set({ steps: next });
    setAnnounced(`Step “${step.title || step.id}” moved to position ${to + 1} of ${steps.length}.`);
  };
  const readOnly = !can('editor');
  const [pickPage, setPickPage] = useState(() => localStorage.getItem(pickPageKey) ?? '');
  const [pickNote, setPickNote] = useState('');
  const pickReason = readOnly
    ? 'Viewers cannot pick elements.'
    : !/^https?:\/\/\S+$/.test(pickPage)
      ? 'Enter the page of your product to pick on (above the steps) first.'
      : null;
  const pick: Pick | null =
    pickReason !== null
      ? null
      : async (done) => {
          try {
            setPickNote('Opening your product: point at the element in its tab and click it…');
            // A link that opens the page as it is, ready for the picker: no saved draft needed.
            const link = await ok(api.v1.admin.spotlights['picker-link'].$post({ json: { url: pickPage } }));
            const choice = await pickElement(link.url);
            if (!choice) return setPickNote('Picking was cancelled: the tab was closed.');
            done(choice);
            setPickNote(
              `Picked ${choice.selector}${choice.text ? ` with the text “${choice.text}”` : ''}: it matches ${choice.matches} element${choice.matches === 1 ? '' : 's'} on that page.`,
            );
          } catch (error) {
            setPickNote(error instanceof Error ? error.message : String(error));
          }
        };
  const trigger = content.trigger;
  const frequency = content.frequency;
  // The saved draft as delivery would send it, in each of its languages (README, "Console").
  const saved = builder.record;
  const deliver = useCallback(
    (locale: string) =>
      ok(
        api.v1.admin.spotlights[':id'].preview.$post({ param: { id: saved?.id ?? '' }, json: { locale } }),
      ).then((answer) => answer.delivered),
    [saved],
  );
  const livePreview =
    saved && can('editor') ? (
      <WidgetPreview
        kind="spotlight"
        label="Preview of the saved draft"
        locales={[content.locale ?? 'en', ...Object.keys(content.translations ?? {})]}
        deliver={deliver}
      />
    ) : (
      <p class="muted">
        {saved
          ? 'The live preview is for editors, admins and owners.'
          : 'Save the draft to see it drawn by the widget here.'}
      </p>
    );
  return (
    <BuilderFrame builder={builder} noun="tour" canEdit={!readOnly} preview={livePreview}>
      <fieldset class="builder-group">
        <legend>Tour</legend>
        <TextField
          label="Name (for your team)"
          pointer="/name"
          errors={errors}
          maxLength={120}
          value={builder.name}
          onInput={edit.setName}
        />
      </fieldset>
      <fieldset class="builder-group">
        <legend>Steps</legend>
        <p class="muted">
          One step is a spotlight; several make a tour. Drag a step by its handle, or move it with its
          buttons.
        </p>
        <p class="visually-hidden" aria-live="polite">
          {announced}
        </p>
        <TextField
          label="Page of your product to pick elements on"
          pointer="/pickPage"
          type="url"
          errors={{}}
          placeholder="https://app.example.com/invoices"
          hint="“Pick element” opens it in a new tab: click the element there and its selector comes back here."
          value={pickPage}
          onInput={(page) => {
            setPickPage(page.trim());
            localStorage.setItem(pickPageKey, page.trim());
          }}
        />
        <p class="muted" role="status">
          {pickNote}
        </p>
        <ol class="steps">
          {steps.map((step, index) => (
            <li
              key={`${index}-${step.id}`}
              class={`builder-item${dragged === index ? ' dragging' : ''}`}
              onDragOver={(e) => {
                if (dragged !== null) e.preventDefault();
              }}
              onDrop={(e) => {
                e.preventDefault();
                if (dragged !== null) move(dragged, index);
                setDragged(null);
              }}
            >
              <div class="step-tools">
                <span
                  class="drag-handle"
                  draggable={!readOnly}
                  title="Drag to reorder"
                  aria-hidden="true"
                  onDragStart={(e) => {
                    e.dataTransfer?.setData('text/plain', String(index));
                    setDragged(index);
                  }}
                  onDragEnd={() => setDragged(null)}
                >
                  ⠿
                </span>
                <strong>Step {index + 1}</strong>
                <button
                  type="button"
                  disabled={index === 0}
                  onClick={() => move(index, index - 1)}
                  aria-label={`Move step ${index + 1} up`}
                >
                  ↑ Up
                </button>
                <button
                  type="button"
                  disabled={index === steps.length - 1}
                  onClick={() => move(index, index + 1)}
                  aria-label={`Move step ${index + 1} down`}
                >
                  ↓ Down
                </button>
                <button
                  type="button"
                  disabled={steps.length === 1}
                  onClick={() => {
                    set({ steps: steps.filter((_, i) => i !== index) });
                    setAnnounced(`Step ${index + 1} removed.`);
                  }}
                >
                  Remove step {index + 1}
                </button>
              </div>
              <StepFields
                step={step}
                index={index}
                errors={errors}
                onChange={(next) => set({ steps: steps.map((s, i) => (i === index ? next : s)) })}
                pick={pick}
                pickReason={pickReason}
              />
            </li>
          ))}
        </ol>
        <button
          type="button"
          disabled={steps.length >= 20}
          onClick={() => {
            set({ steps: [...steps, newStep(freshId(steps), 'tooltip')] });
            setAnnounced(`Step ${steps.length + 1} added.`);
          }}
        >
          Add step
        </button>
      </fieldset>
      <fieldset class="builder-group">
        <legend>When it starts</legend>
        <div class="field-row">
          <SelectField
            label="Starts"
            pointer="/content/trigger/kind"
            errors={errors}
            value={trigger.kind}
            options={[
              ['page', 'On a matching page'],
              ['event', 'After the user does something (an event)'],
              ['click', 'When the user clicks an element'],
              ['delay', 'After some time on the page'],
            ]}
            onChange={(kind) => set({ trigger: triggerOf(kind, trigger) })}
          />
          {trigger.kind === 'event' && (
            <TextField
              label="Event name"
              pointer="/content/trigger/event"
              errors={errors}
              value={trigger.event}
              placeholder="Invoice Sent"
              onInput={(event) => set({ trigger: { ...trigger, event } })}
            />
          )}
          {trigger.kind === 'click' && (
            <TextField
              label="Element clicked (CSS selector)"
              pointer="/content/trigger/selector"
              errors={errors}
              value={trigger.selector}
              onInput={(selector) => set({ trigger: { ...trigger, selector } })}
            />
          )}
          {trigger.kind === 'delay' && (
            <NumberField
              label="Seconds on the page"
              pointer="/content/trigger/seconds"
              errors={errors}
              min={1}
              max={600}
              value={trigger.seconds}
              onInput={(seconds) => set({ trigger: { ...trigger, seconds } })}
            />
          )}
          <SelectField
            label="How often"
            pointer="/content/frequency/mode"
            errors={errors}
            value={frequency.mode}
            options={[
              ['untilDone', 'Until completed or dismissed'],
              ['once', 'Once'],
              ['every', 'Every few days'],
            ]}
            onChange={(mode) =>
              set({
                frequency:
                  mode === 'every'
                    ? { mode, days: frequency.mode === 'every' ? frequency.days : 30 }
                    : { mode },
              })
            }
          />
          {frequency.mode === 'every' && (
            <NumberField
              label="Every (days)"
              pointer="/content/frequency/days"
              errors={errors}
              min={1}
              max={3650}
              value={frequency.days}
              onInput={(days) => set({ frequency: { ...frequency, days } })}
            />
          )}
          <NumberField
            label="Priority (0 to 100)"
            pointer="/content/priority"
            errors={errors}
            hint="Of the prompts waiting for the screen, the highest goes first."
            min={0}
            max={100}
            value={content.priority}
            onInput={(priority) => set({ priority })}
          />
          <TextField
            label="Language of these words"
            pointer="/content/locale"
            errors={errors}
            value={content.locale}
            onInput={(locale) => set({ locale: locale.trim() })}
          />
          <CheckField
            label="People may close it"
            pointer="/content/dismissible"
            errors={errors}
            checked={content.dismissible}
            onChange={(dismissible) => set({ dismissible })}
          />
        </div>
      </fieldset>
      <AudienceFields
        audience={content.audience}
        pointer="/content/audience"
        errors={errors}
        onChange={(audience) => set({ audience })}
      />
    </BuilderFrame>
  );
}
