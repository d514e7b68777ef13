/**
 * The survey prompt's own words, beside widget/checklist/strings.ts (whose `close`, `direction` and
 * `format` it shares). The question, labels, follow-ups and thank-you arrive translated by the
 * server; these name the prompt and its button. `{question}` is filled in.
 */
const en = {
  /** The prompt's landmark. */
  survey: 'Quick survey',
  /** Said politely when it appears (the prompt does not take focus). */
  appeared: 'Quick survey: {question}',
  submit: 'Submit',
  /** When the survey has no thank-you of its own. */
  thanks: 'Thank you for your feedback!',
};
export type SurveyStrings = typeof en;

const catalog: Record<string, SurveyStrings> = {
  en,
  fr: {
    survey: 'Petit sondage',
    appeared: 'Petit sondage : {question}',
    submit: 'Envoyer',
    thanks: 'Merci pour votre avis !',
  },
  de: {
    survey: 'Kurze Umfrage',
    appeared: 'Kurze Umfrage: {question}',
    submit: 'Senden',
    thanks: 'Vielen Dank für Ihr Feedback!',
  },
  es: {
    survey: 'Encuesta rápida',
    appeared: 'Encuesta rápida: {question}',
    submit: 'Enviar',
    thanks: '¡Gracias por tu opinión!',
  },
  ar: {
    survey: 'استطلاع سريع',
    appeared: 'استطلاع سريع: {question}',
    submit: 'إرسال',
    thanks: 'شكرًا على ملاحظاتك!',
  },
};

/**
 * The strings for a locale (`fr-CA` uses `fr`), English when the language has none.
 *
 * @example
 * surveyStrings('de-AT').submit // 'Senden'
 */
export function surveyStrings(locale: string): SurveyStrings {
  return catalog[locale.trim().toLowerCase().split(/[-_]/)[0] ?? ''] ?? en;
}
