import { useCallback, useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import {
  type SurveyContent,
  type SurveyTranslation,
  surveyContent,
  surveyDraftInput,
} from '../../../shared/schemas/survey.ts';
import { locale as localeTag } from '../../../shared/schemas/versioned.ts';
import { surveyDefaults } from '../../../shared/widget-strings.ts';
import { api, ok } from '../api.ts';
import {
  AudienceFields,
  BuilderFrame,
  type ContentEndpoints,
  type FieldErrors,
  NumberField,
  SelectField,
  TextField,
  useContentBuilder,
} from '../components/builder/fields.tsx';
import { WidgetPreview } from '../components/WidgetPreview.tsx';
import { base, useSession } from '../session.ts';

/** The survey admin routes, through the typed client. */
const surveys: ContentEndpoints<SurveyContent> = {
  get: (id) => ok(api.v1.admin.surveys[':id'].$get({ param: { id } })),
  create: (json) => ok(api.v1.admin.surveys.$post({ json })),
  update: (id, json) => ok(api.v1.admin.surveys[':id'].$put({ param: { id }, json })),
  publish: (id) => ok(api.v1.admin.surveys[':id'].publish.$post({ param: { id } })),
  archive: (id) => ok(api.v1.admin.surveys[':id'].archive.$post({ param: { id } })),
  versions: async (id) => (await ok(api.v1.admin.surveys[':id'].versions.$get({ param: { id } }))).versions,
  preview: (id, url) =>
    ok(api.v1.admin.surveys[':id'].preview.$post({ param: { id }, json: { url, expiresInMinutes: 60 } })),
};

/** An empty text field is left out: the survey then shows Waymark's standard text. */
const optional = (text: string) => (text === '' ? undefined : text);

type Words = Pick<SurveyTranslation, 'question' | 'lowLabel' | 'highLabel' | 'thankYou' | 'followUp'>;

/**
 * A survey's words in one language: the question, the scale's ends, the follow-up question per group
 * of the score given, the thanks. Each shows, as its placeholder, the standard text used when left empty.
 */
function SurveyWords({
  words,
  language,
  translated,
  pointer,
  errors,
  onChange,
}: {
  words: Words;
  language: string;
  /** Words of a translation: its fields' labels name the language. */
  translated?: boolean;
  pointer: string;
  errors: FieldErrors;
  onChange(words: Words): void;
}) {
  const standard = surveyDefaults(language).text;
  const named = (label: string) => (translated ? `${label} (${language})` : label);
  const hint = 'Left empty: Waymark’s standard text, shown as the example.';
  const followUp = (group: 'detractor' | 'passive' | 'promoter', label: string) => (
    <TextField
      label={named(label)}
      pointer={`${pointer}/followUp/${group}`}
      errors={errors}
      multiline
      maxLength={300}
      value={words.followUp[group]}
      placeholder={standard.followUp[group]}
      onInput={(text) => onChange({ ...words, followUp: { ...words.followUp, [group]: optional(text) } })}
    />
  );
  return (
    <>
      <TextField
        label={named('Question')}
        pointer={`${pointer}/question`}
        errors={errors}
        hint={`Name the product with {product}. ${hint}`}
        multiline
        maxLength={300}
        value={words.question}
        placeholder={standard.question}
        onInput={(text) => onChange({ ...words, question: optional(text) })}
      />
      <div class="field-row">
        <TextField
          label={named('Label under 0')}
          pointer={`${pointer}/lowLabel`}
          errors={errors}
          maxLength={60}
          value={words.lowLabel}
          placeholder={standard.lowLabel}
          onInput={(text) => onChange({ ...words, lowLabel: optional(text) })}
        />
        <TextField
          label={named('Label under 10')}
          pointer={`${pointer}/highLabel`}
          errors={errors}
          maxLength={60}
          value={words.highLabel}
          placeholder={standard.highLabel}
          onInput={(text) => onChange({ ...words, highLabel: optional(text) })}
        />
      </div>
      {followUp('detractor', 'Follow-up after 0 to 6 (detractors)')}
      {followUp('passive', 'Follow-up after 7 or 8 (passives)')}
      {followUp('promoter', 'Follow-up after 9 or 10 (promoters)')}
      <TextField
        label={named('Thanks')}
        pointer={`${pointer}/thankYou`}
        errors={errors}
        multiline
        maxLength={300}
        value={words.thankYou}
        placeholder={standard.thankYou}
        onInput={(text) => onChange({ ...words, thankYou: optional(text) })}
      />
    </>
  );
}

/** The languages a survey is translated into, beyond its own: add one by its tag, edit, remove. */
function SurveyTranslations({
  content,
  errors,
  onChange,
}: {
  content: SurveyContent;
  errors: FieldErrors;
  onChange(translations: SurveyContent['translations']): void;
}) {
  const [tag, setTag] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const tags = Object.keys(content.translations);
  const add = () => {
    const checked = localeTag.safeParse(tag.trim());
    if (!checked.success) return setProblem(checked.error.issues[0]?.message ?? 'is not a language tag');
    if (checked.data === content.locale || checked.data in content.translations)
      return setProblem('is already there');
    onChange({ ...content.translations, [checked.data]: { followUp: {} } });
    setTag('');
    setProblem(null);
  };
  return (
    <fieldset class="builder-group">
      <legend>Other languages</legend>
      <p class="muted">
        People whose language is one of these see its words; others see the survey’s own language. A text left
        empty is Waymark’s standard text in that language.
      </p>
      {tags.map((t) => {
        const words = content.translations[t] ?? { followUp: {} };
        const { [t]: _removed, ...rest } = content.translations;
        return (
          <fieldset class="builder-group" key={t}>
            <legend>In {t}</legend>
            <SurveyWords
              words={words}
              language={t}
              translated
              pointer={`/content/translations/${t}`}
              errors={errors}
              onChange={(next) => onChange({ ...content.translations, [t]: next })}
            />
            <button type="button" onClick={() => onChange(rest)}>
              Remove the {t} translation
            </button>
          </fieldset>
        );
      })}
      <div class="field-row">
        <TextField
          label="Add a language (tag such as fr or pt-BR)"
          pointer="/new-language"
          errors={problem ? { '/new-language': problem } : {}}
          value={tag}
          onInput={(text) => {
            setTag(text);
            setProblem(null);
          }}
        />
        <button type="button" class="field-row-button" onClick={add}>
          Add language
        </button>
      </div>
    </fieldset>
  );
}

/**
 * The NPS survey builder (`/app/content/surveys/new`, `/app/content/surveys/:id`): every field of a
 * survey's content, validated as typed by the schema the server parses it with, starting from its
 * defaults, so a new survey can be published at once (README, "Console").
 */
export default function SurveyBuilder() {
  const { params } = useRoute();
  const location = useLocation();
  const { can } = useSession();
  const builder = useContentBuilder<SurveyContent>({
    id: params.id ?? 'new',
    endpoints: surveys,
    schema: surveyDraftInput,
    initial: () => ({ name: 'NPS survey', content: surveyContent.parse({}) }),
    created: (id) => location.route(`${base}/content/surveys/${id}`, true),
  });
  const { content, errors, edit } = builder;
  const set = (patch: Partial<SurveyContent>) => edit.setContent({ ...content, ...patch });
  const sampling = (key: keyof SurveyContent['sampling']) => (value: number) =>
    set({ sampling: { ...content.sampling, [key]: value } });
  const theme = content.theme;
  // The saved draft as delivery would send it, in each of its languages (README, "Console").
  const saved = builder.record;
  const deliver = useCallback(
    (locale: string) =>
      ok(
        api.v1.admin.surveys[':id'].preview.$post({ param: { id: saved?.id ?? '' }, json: { locale } }),
      ).then((answer) => answer.delivered),
    [saved],
  );
  const livePreview =
    saved && can('editor') ? (
      <WidgetPreview
        kind="survey"
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
    <BuilderFrame builder={builder} noun="NPS survey" canEdit={can('editor')} preview={livePreview}>
      <fieldset class="builder-group">
        <legend>Survey</legend>
        <TextField
          label="Name (for your team)"
          pointer="/name"
          errors={errors}
          maxLength={120}
          value={builder.name}
          onInput={edit.setName}
        />
        <div class="field-row">
          <TextField
            label="Product name"
            pointer="/content/productName"
            errors={errors}
            hint="What {product} stands for; left empty, the workspace’s name."
            maxLength={80}
            value={content.productName}
            onInput={(text) => set({ productName: optional(text) })}
          />
          <TextField
            label="Language of these words"
            pointer="/content/locale"
            errors={errors}
            hint="A tag such as en, fr or pt-BR."
            value={content.locale}
            onInput={(locale) => set({ locale: locale.trim() })}
          />
        </div>
      </fieldset>
      <fieldset class="builder-group">
        <legend>Words</legend>
        <SurveyWords
          words={content}
          language={content.locale}
          pointer="/content"
          errors={errors}
          onChange={(words) => set(words)}
        />
      </fieldset>
      <SurveyTranslations
        content={content}
        errors={errors}
        onChange={(translations) => set({ translations })}
      />
      <fieldset class="builder-group">
        <legend>When people are asked</legend>
        <div class="field-row">
          <NumberField
            label="First ask, days after sign-up"
            pointer="/content/sampling/firstAskAfterDays"
            errors={errors}
            hint="From the user’s createdAt trait, else when first seen."
            min={0}
            max={3650}
            value={content.sampling.firstAskAfterDays}
            onInput={sampling('firstAskAfterDays')}
          />
          <NumberField
            label="Ask again, days after an answer"
            pointer="/content/sampling/askAgainAfterResponseDays"
            errors={errors}
            min={1}
            max={3650}
            value={content.sampling.askAgainAfterResponseDays}
            onInput={sampling('askAgainAfterResponseDays')}
          />
          <NumberField
            label="Ask again, days after a dismissal"
            pointer="/content/sampling/askAgainAfterDismissDays"
            errors={errors}
            min={1}
            max={3650}
            value={content.sampling.askAgainAfterDismissDays}
            onInput={sampling('askAgainAfterDismissDays')}
          />
          <NumberField
            label="Share of eligible people asked (0 to 1)"
            pointer="/content/sampling/rate"
            errors={errors}
            hint="1 asks everyone; 0.25 one in four, drawn per person."
            min={0}
            max={1}
            step={0.01}
            value={content.sampling.rate}
            onInput={sampling('rate')}
          />
          <NumberField
            label="Unanswered displays before backing off"
            pointer="/content/sampling/maxUnansweredDisplays"
            errors={errors}
            min={1}
            max={20}
            value={content.sampling.maxUnansweredDisplays}
            onInput={sampling('maxUnansweredDisplays')}
          />
          <NumberField
            label="Hours before showing an unanswered prompt again"
            pointer="/content/sampling/redisplayAfterHours"
            errors={errors}
            min={0}
            max={2160}
            value={content.sampling.redisplayAfterHours}
            onInput={sampling('redisplayAfterHours')}
          />
          <NumberField
            label="Seconds on the page before it shows"
            pointer="/content/sampling/delaySeconds"
            errors={errors}
            min={0}
            max={600}
            value={content.sampling.delaySeconds}
            onInput={sampling('delaySeconds')}
          />
          <NumberField
            label="Priority (0 to 100)"
            pointer="/content/priority"
            errors={errors}
            hint="Of the surveys someone may be asked, the highest goes first."
            min={0}
            max={100}
            value={content.priority}
            onInput={(priority) => set({ priority })}
          />
        </div>
      </fieldset>
      <AudienceFields
        audience={content.audience}
        pointer="/content/audience"
        errors={errors}
        onChange={(audience) => set({ audience })}
      />
      <fieldset class="builder-group">
        <legend>Look</legend>
        <div class="field-row">
          <SelectField
            label="Position"
            pointer="/content/position"
            errors={errors}
            value={content.position}
            options={[
              ['bottom-right', 'Bottom right corner'],
              ['bottom-left', 'Bottom left corner'],
              ['bottom-bar', 'Bar along the bottom'],
            ]}
            onChange={(position) => set({ position })}
          />
          <TextField
            label="Brand colour"
            pointer="/content/theme/brandColor"
            errors={errors}
            hint="Hex, such as #0f766e; left empty, the workspace’s."
            value={theme.brandColor}
            onInput={(text) => set({ theme: { ...theme, brandColor: optional(text.trim()) } })}
          />
          <TextField
            label="Font"
            pointer="/content/theme/font"
            errors={errors}
            hint="Left empty, the workspace’s."
            value={theme.font}
            onInput={(text) => set({ theme: { ...theme, font: optional(text) } })}
          />
          <NumberField
            label="Corner radius (px, 0 to 24)"
            pointer="/content/theme/radius"
            errors={errors}
            min={0}
            max={24}
            value={theme.radius}
            onInput={(radius) =>
              set({ theme: { ...theme, radius: Number.isNaN(radius) ? undefined : radius } })
            }
          />
          <SelectField
            label="Light or dark"
            pointer="/content/theme/mode"
            errors={errors}
            value={theme.mode ?? 'workspace'}
            options={[
              ['workspace', 'As the workspace'],
              ['auto', 'The person’s system setting'],
              ['light', 'Light'],
              ['dark', 'Dark'],
            ]}
            onChange={(mode) => set({ theme: { ...theme, mode: mode === 'workspace' ? undefined : mode } })}
          />
        </div>
      </fieldset>
    </BuilderFrame>
  );
}
