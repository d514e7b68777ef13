/**
 * The widget's own words: the buttons, labels and announcements around content (titles,
 * descriptions, questions and steps arrive translated by the server with the content). The server
 * sends the strings for the user's locale with every `POST /v1/content` response (`strings`), so
 * the widget's files carry no language: see `widgetStrings`. `{done}`, `{total}`, `{title}`,
 * `{question}` and `{n}` are filled in by the widget (`format`).
 *
 * Three tables, each falling back on its own (exact tag, then language, then English): the
 * checklist's, the survey prompt's (which shows the checklist's `close`), the spotlights'.
 */
const checklist = {
  en: {
    gettingStarted: 'Getting started',
    progress: '{done} of {total} done',
    count: '{done} of {total}',
    itemDone: '{title} done. {done} of {total} complete.',
    close: 'Close',
    dismiss: 'Dismiss checklist',
    markDone: 'Mark as done',
    optional: 'Optional',
    start: 'Start',
    showMe: 'Show me',
    allDone: 'All done!',
    completed: 'You have completed every step. Nice work.',
    /** The switcher between several checklists of a page. */
    previousChecklist: 'Previous checklist',
    nextChecklist: 'Next checklist',
  },
  fr: {
    gettingStarted: 'Premiers pas',
    progress: '{done} sur {total} terminées',
    count: '{done} sur {total}',
    itemDone: '{title} : terminé. {done} sur {total} terminées.',
    close: 'Fermer',
    dismiss: 'Masquer la liste',
    markDone: 'Marquer comme terminé',
    optional: 'Facultatif',
    start: 'Commencer',
    showMe: 'Me montrer',
    allDone: 'Tout est fait !',
    completed: 'Vous avez terminé toutes les étapes. Bravo.',
    previousChecklist: 'Liste précédente',
    nextChecklist: 'Liste suivante',
  },
  de: {
    gettingStarted: 'Erste Schritte',
    progress: '{done} von {total} erledigt',
    count: '{done} von {total}',
    itemDone: '{title} erledigt. {done} von {total} abgeschlossen.',
    close: 'Schließen',
    dismiss: 'Checkliste ausblenden',
    markDone: 'Als erledigt markieren',
    optional: 'Optional',
    start: 'Starten',
    showMe: 'Zeig es mir',
    allDone: 'Alles erledigt!',
    completed: 'Sie haben alle Schritte abgeschlossen. Gut gemacht.',
    previousChecklist: 'Vorherige Checkliste',
    nextChecklist: 'Nächste Checkliste',
  },
  es: {
    gettingStarted: 'Primeros pasos',
    progress: '{done} de {total} completados',
    count: '{done} de {total}',
    itemDone: '{title}: hecho. {done} de {total} completados.',
    close: 'Cerrar',
    dismiss: 'Descartar la lista',
    markDone: 'Marcar como hecho',
    optional: 'Opcional',
    start: 'Empezar',
    showMe: 'Muéstramelo',
    allDone: '¡Todo listo!',
    completed: 'Has completado todos los pasos. Buen trabajo.',
    previousChecklist: 'Lista anterior',
    nextChecklist: 'Lista siguiente',
  },
  ar: {
    gettingStarted: 'البدء',
    progress: 'اكتمل {done} من {total}',
    count: '{done} من {total}',
    itemDone: 'اكتملت خطوة {title}. اكتمل {done} من {total}.',
    close: 'إغلاق',
    dismiss: 'إخفاء قائمة المهام',
    markDone: 'وضع علامة كمكتمل',
    optional: 'اختياري',
    start: 'ابدأ',
    showMe: 'أرني',
    allDone: 'اكتمل كل شيء!',
    completed: 'لقد أكملت جميع الخطوات. أحسنت.',
    previousChecklist: 'قائمة المهام السابقة',
    nextChecklist: 'قائمة المهام التالية',
  },
};

const survey = {
  en: {
    /** The prompt's landmark. */
    survey: 'Quick survey',
    /** Said politely when it appears (the prompt does not take focus). */
    appeared: 'Quick survey: {question}',
    submit: 'Submit',
    /** When the survey has no thank-you of its own. */
    thanks: 'Thank you for your feedback!',
  },
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

/** `tipClose` is the spotlights' own close button (their table has Hebrew; the checklist's has not). */
const spotlight = {
  en: {
    next: 'Next',
    back: 'Back',
    done: 'Done',
    tipClose: 'Close',
    step: 'Step {n} of {total}',
    openTip: 'Open tip: {title}',
  },
  fr: {
    next: 'Suivant',
    back: 'Précédent',
    done: 'Terminé',
    tipClose: 'Fermer',
    step: 'Étape {n} sur {total}',
    openTip: 'Ouvrir l’astuce : {title}',
  },
  de: {
    next: 'Weiter',
    back: 'Zurück',
    done: 'Fertig',
    tipClose: 'Schließen',
    step: 'Schritt {n} von {total}',
    openTip: 'Tipp öffnen: {title}',
  },
  es: {
    next: 'Siguiente',
    back: 'Atrás',
    done: 'Listo',
    tipClose: 'Cerrar',
    step: 'Paso {n} de {total}',
    openTip: 'Abrir consejo: {title}',
  },
  ar: {
    next: 'التالي',
    back: 'السابق',
    done: 'تم',
    tipClose: 'إغلاق',
    step: 'الخطوة {n} من {total}',
    openTip: 'افتح النصيحة: {title}',
  },
  he: {
    next: 'הבא',
    back: 'הקודם',
    done: 'סיום',
    tipClose: 'סגירה',
    step: 'שלב {n} מתוך {total}',
    openTip: 'פתיחת טיפ: {title}',
  },
};

/** Every string the widget shows around content, by key, in one language. */
export type WidgetStrings = (typeof checklist)['en'] & (typeof survey)['en'] & (typeof spotlight)['en'];

/** The tables, for tests that check every language has every string. */
export const widgetStringTables = { checklist, survey, spotlight };

/** `fr-CA`, `fr_ca`, ` FR-ca ` → `fr-ca`. */
const tag = (locale: string | null | undefined) => (locale ?? '').trim().toLowerCase().replace(/_/g, '-');
const language = (locale: string | null | undefined) => tag(locale).split('-')[0] ?? '';

function pick<T>(table: Record<string, T> & { en: T }, locale: string | null | undefined): T {
  return table[tag(locale)] ?? table[language(locale)] ?? table.en;
}

/**
 * The widget's strings for a locale, each table falling back on its own: exact tag, then its
 * language (`fr-CA` uses `fr`), then English (also for no locale).
 *
 * @example
 * widgetStrings('de-AT').close // 'Schließen'
 */
export function widgetStrings(locale: string | null | undefined): WidgetStrings {
  return { ...pick(checklist, locale), ...pick(survey, locale), ...pick(spotlight, locale) };
}

/** Languages written right to left (BCP 47 primary subtags). */
const rtl = ['ar', 'he', 'iw', 'fa', 'ur', 'ps', 'sd', 'ug', 'yi', 'dv', 'ckb'];

/**
 * The direction to lay the widget out in: right to left for an RTL language, or, for a locale that
 * says nothing (empty), the host document's own `dir`.
 *
 * @example
 * direction('ar-EG', 'ltr') // 'rtl'
 */
export function direction(locale: string, documentDir: string): 'rtl' | 'ltr' {
  const lang = language(locale);
  if (rtl.includes(lang)) return 'rtl';
  return !lang && documentDir.toLowerCase() === 'rtl' ? 'rtl' : 'ltr';
}

/** Fills `{name}` placeholders; a missing template (a string the server did not send) is empty. */
export function format(template: string | undefined, values: Record<string, string | number>): string {
  return (template ?? '').replace(/\{(\w+)\}/g, (match, name: string) =>
    name in values ? String(values[name]) : match,
  );
}

/**
 * A survey's own text where its author left it out (server/surveys/deliver.ts): the standard NPS
 * question, scale labels and follow-ups; the thank-you is the survey table's `thanks`. Not part of
 * `strings`: the server puts them into the survey it delivers, `{product}` filled in.
 */
const surveyText = {
  en: {
    question: 'How likely are you to recommend {product} to a friend or colleague?',
    lowLabel: 'Not at all likely',
    highLabel: 'Extremely likely',
    detractor: 'What is the main reason for your score? What could we do better?',
    passive: 'What is the main reason for your score? What would make it a 10?',
    promoter: 'What is the main reason for your score? What do you like most?',
  },
  fr: {
    question: 'Quelle est la probabilité que vous recommandiez {product} à un ami ou un collègue ?',
    lowLabel: 'Pas du tout probable',
    highLabel: 'Extrêmement probable',
    detractor: 'Quelle est la principale raison de votre note ? Que pourrions-nous améliorer ?',
    passive: 'Quelle est la principale raison de votre note ? Que faudrait-il pour qu’elle soit de 10 ?',
    promoter: 'Quelle est la principale raison de votre note ? Qu’appréciez-vous le plus ?',
  },
  de: {
    question: 'Wie wahrscheinlich ist es, dass Sie {product} einem Freund oder Kollegen empfehlen?',
    lowLabel: 'Überhaupt nicht wahrscheinlich',
    highLabel: 'Äußerst wahrscheinlich',
    detractor: 'Was ist der wichtigste Grund für Ihre Bewertung? Was könnten wir besser machen?',
    passive: 'Was ist der wichtigste Grund für Ihre Bewertung? Was würde daraus eine 10 machen?',
    promoter: 'Was ist der wichtigste Grund für Ihre Bewertung? Was gefällt Ihnen am besten?',
  },
  es: {
    question: '¿Qué probabilidad hay de que recomiendes {product} a un amigo o colega?',
    lowLabel: 'Nada probable',
    highLabel: 'Extremadamente probable',
    detractor: '¿Cuál es el motivo principal de tu puntuación? ¿Qué podríamos mejorar?',
    passive: '¿Cuál es el motivo principal de tu puntuación? ¿Qué haría falta para que fuera un 10?',
    promoter: '¿Cuál es el motivo principal de tu puntuación? ¿Qué es lo que más te gusta?',
  },
  ar: {
    question: 'ما مدى احتمال أن توصي بـ {product} لصديق أو زميل؟',
    lowLabel: 'غير محتمل على الإطلاق',
    highLabel: 'محتمل للغاية',
    detractor: 'ما السبب الرئيسي لتقييمك؟ ما الذي يمكننا تحسينه؟',
    passive: 'ما السبب الرئيسي لتقييمك؟ ما الذي سيجعله 10؟',
    promoter: 'ما السبب الرئيسي لتقييمك؟ ما أكثر ما يعجبك؟',
  },
};

/** The survey text tables, for tests that check every language has every string. */
export const surveyTextTables = { surveyText, survey };

/**
 * A survey's default text in a locale (exact tag, then language, then English) and the tag it is
 * in: what a survey shows for the text its author left out.
 *
 * @example
 * surveyDefaults('fr-CA').text.lowLabel // 'Pas du tout probable'; .locale: 'fr'
 */
export function surveyDefaults(locale: string | null | undefined) {
  const found = [tag(locale), language(locale)].find((t) => t in surveyText) as
    | keyof typeof surveyText
    | undefined;
  const shownIn = found ?? 'en';
  const { detractor, passive, promoter, ...text } = surveyText[shownIn];
  return {
    locale: shownIn,
    text: { ...text, followUp: { detractor, passive, promoter }, thankYou: pick(survey, shownIn).thanks },
  };
}
