/**
 * The widget's own words. Content (titles, descriptions) arrives already translated by the server;
 * these are the buttons and announcements around it. `{done}`, `{total}` and `{title}` are filled in.
 */
const en = {
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
};
export type Strings = typeof en;

const catalog: Record<string, Strings> = {
  en,
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
  },
};

/** Languages written right to left (BCP 47 primary subtags). */
const rtl = new Set(['ar', 'he', 'iw', 'fa', 'ur', 'ps', 'sd', 'ug', 'yi', 'dv', 'ckb']);

const language = (locale: string) => locale.trim().toLowerCase().split(/[-_]/)[0] ?? '';

/**
 * The strings for a locale (`fr-CA` uses `fr`), English when the language has none.
 *
 * @example
 * strings('de-AT').close // 'Schließen'
 */
export function strings(locale: string): Strings {
  return catalog[language(locale)] ?? en;
}

/**
 * The direction to lay the widget out in: right to left for an RTL language, or, for a locale that
 * says nothing (empty), the host document's own `dir`.
 *
 * @example
 * direction('ar-EG', 'ltr') // 'rtl'
 */
export function direction(locale: string, documentDir: string): 'rtl' | 'ltr' {
  const lang = language(locale);
  if (rtl.has(lang)) return 'rtl';
  return !lang && documentDir.toLowerCase() === 'rtl' ? 'rtl' : 'ltr';
}

/** Fills `{name}` placeholders. */
export function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (match, name: string) =>
    name in values ? String(values[name]) : match,
  );
}
