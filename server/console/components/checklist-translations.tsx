import { useState } from 'preact/hooks';
import type { ChecklistContentInput } from '../../../shared/schemas/checklist.ts';
import { locale } from '../../../shared/schemas/versioned.ts';
import { fieldId, Group, PartError, TextField } from './builder-fields.tsx';

type Translations = NonNullable<ChecklistContentInput['translations']>;
type Translation = Translations[string];
type Texts = { title?: string | undefined; description?: string | undefined };

/** Texts with the empty ones left out: an empty translation falls back to the original, not to nothing. */
function texts(from: Texts, patch: Texts): Texts {
  const next: Texts = { ...from, ...patch };
  const out: Texts = {};
  if (next.title) out.title = next.title;
  if (next.description) out.description = next.description;
  return out;
}

/**
 * A checklist's texts in other languages: per language tag, its title, description and each item's
 * title and description. A text left empty shows the original (README, "Content": translations).
 */
export function ChecklistTranslations({
  at,
  content,
  onChange,
}: {
  at: string;
  content: ChecklistContentInput;
  onChange(next: Translations): void;
}) {
  const translations = content.translations ?? {};
  const [tag, setTag] = useState('');
  const [tagError, setTagError] = useState<string | null>(null);
  const tagId = fieldId(`${at}/new`);
  const set = (lang: string, t: Translation) => onChange({ ...translations, [lang]: t });
  return (
    <div class="translations">
      <PartError at={at} />
      {Object.entries(translations).map(([lang, t]) => {
        const here = `${at}/${lang}`;
        const items = t.items ?? {};
        return (
          <Group key={lang} legend={`Language ${lang}`}>
            <TextField
              label={`Title (${lang})`}
              at={`${here}/title`}
              value={t.title ?? ''}
              placeholder={content.title}
              onInput={(title) => set(lang, { ...texts(t, { title }), items })}
            />
            <TextField
              label={`Description (${lang})`}
              at={`${here}/description`}
              multiline
              value={t.description ?? ''}
              placeholder={content.description}
              onInput={(description) => set(lang, { ...texts(t, { description }), items })}
            />
            <PartError at={`${here}/items`} />
            {content.items.map((item) => {
              const own = items[item.id] ?? {};
              const change = (patch: Texts) => {
                const next = texts(own, patch);
                const { [item.id]: _, ...others } = items;
                set(lang, {
                  ...t,
                  items: Object.keys(next).length ? { ...others, [item.id]: next } : others,
                });
              };
              return (
                <div key={item.id} class="translation-item">
                  <TextField
                    label={`Item “${item.title || item.id}” title (${lang})`}
                    at={`${here}/items/${item.id}/title`}
                    value={own.title ?? ''}
                    placeholder={item.title}
                    onInput={(title) => change({ title })}
                  />
                  <TextField
                    label={`Item “${item.title || item.id}” description (${lang})`}
                    at={`${here}/items/${item.id}/description`}
                    value={own.description ?? ''}
                    placeholder={item.description}
                    onInput={(description) => change({ description })}
                  />
                </div>
              );
            })}
            {Object.keys(items)
              .filter((id) => !content.items.some((item) => item.id === id))
              .map((id) => (
                <p key={id} class="hint">
                  Texts for item “{id}”, which this checklist no longer has:{' '}
                  <button
                    type="button"
                    onClick={() => {
                      const { [id]: _, ...others } = items;
                      set(lang, { ...t, items: others });
                    }}
                  >
                    Remove them
                  </button>
                </p>
              ))}
            <button
              type="button"
              class="remove"
              onClick={() => {
                const { [lang]: _, ...others } = translations;
                onChange(others);
              }}
            >
              Remove the {lang} translation
            </button>
          </Group>
        );
      })}
      <div class="inline-add">
        <div class="field">
          <label for={tagId}>Add a language</label>
          <input
            id={tagId}
            type="text"
            value={tag}
            placeholder="fr, pt-BR"
            aria-invalid={tagError ? 'true' : undefined}
            aria-describedby={tagError ? `${tagId}-error` : undefined}
            onInput={(e) => {
              setTag(e.currentTarget.value.trim());
              setTagError(null);
            }}
          />
          {tagError && (
            <span class="field-error" id={`${tagId}-error`}>
              {tagError}
            </span>
          )}
        </div>
        <button
          type="button"
          onClick={() => {
            const parsed = locale.safeParse(tag);
            if (!parsed.success) setTagError(parsed.error.issues[0]?.message ?? 'is not a language tag');
            else if (tag === (content.locale ?? 'en')) setTagError('is the checklist’s own language');
            else if (tag in translations) setTagError('is already translated');
            else {
              set(tag, { items: {} });
              setTag('');
            }
          }}
        >
          Add the translation
        </button>
      </div>
    </div>
  );
}
