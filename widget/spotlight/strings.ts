/**
 * The spotlight's own words around the content (which arrives translated by the server). `{n}`,
 * `{total}` and `{title}` are filled in with widget/checklist/strings.ts's `format`, and the layout
 * direction comes from its `direction` (right to left for Arabic, Hebrew...).
 */
const en = {
  next: 'Next',
  back: 'Back',
  done: 'Done',
  close: 'Close',
  step: 'Step {n} of {total}',
  openTip: 'Open tip: {title}',
};
export type SpotlightStrings = typeof en;

const catalog: Record<string, SpotlightStrings> = {
  en,
  fr: {
    next: 'Suivant',
    back: 'Précédent',
    done: 'Terminé',
    close: 'Fermer',
    step: 'Étape {n} sur {total}',
    openTip: 'Ouvrir l’astuce : {title}',
  },
  de: {
    next: 'Weiter',
    back: 'Zurück',
    done: 'Fertig',
    close: 'Schließen',
    step: 'Schritt {n} von {total}',
    openTip: 'Tipp öffnen: {title}',
  },
  es: {
    next: 'Siguiente',
    back: 'Atrás',
    done: 'Listo',
    close: 'Cerrar',
    step: 'Paso {n} de {total}',
    openTip: 'Abrir consejo: {title}',
  },
  ar: {
    next: 'التالي',
    back: 'السابق',
    done: 'تم',
    close: 'إغلاق',
    step: 'الخطوة {n} من {total}',
    openTip: 'افتح النصيحة: {title}',
  },
  he: {
    next: 'הבא',
    back: 'הקודם',
    done: 'סיום',
    close: 'סגירה',
    step: 'שלב {n} מתוך {total}',
    openTip: 'פתיחת טיפ: {title}',
  },
};

/**
 * The strings for a locale (`de-CH` uses `de`), English when the language has none.
 *
 * @example
 * spotlightStrings('fr-CA').next // 'Suivant'
 */
export function spotlightStrings(locale: string): SpotlightStrings {
  return catalog[locale.trim().toLowerCase().split(/[-_]/)[0] ?? ''] ?? en;
}
