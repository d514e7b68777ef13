import { describe, expect, it } from 'vitest';
import { direction, format, strings } from '../../widget/checklist/strings.ts';

describe('the widget’s own strings', () => {
  it.each([
    ['en', 'Close', 'Dismiss checklist'],
    ['en-US', 'Close', 'Dismiss checklist'],
    ['fr', 'Fermer', 'Masquer la liste'],
    ['fr-CA', 'Fermer', 'Masquer la liste'],
    ['de-AT', 'Schließen', 'Checkliste ausblenden'],
    ['es_MX', 'Cerrar', 'Descartar la lista'],
    ['AR-eg', 'إغلاق', 'إخفاء قائمة المهام'],
    ['ja', 'Close', 'Dismiss checklist'],
    ['', 'Close', 'Dismiss checklist'],
  ])('%s → %s', (locale, close, dismiss) => {
    expect(strings(locale).close).toBe(close);
    expect(strings(locale).dismiss).toBe(dismiss);
  });

  it('has every string in every language, with the same placeholders', () => {
    const en = strings('en');
    for (const locale of ['fr', 'de', 'es', 'ar']) {
      const t = strings(locale);
      expect(Object.keys(t).sort()).toEqual(Object.keys(en).sort());
      for (const key of Object.keys(en) as Array<keyof typeof en>) {
        expect(t[key], `${locale}.${key}`).not.toBe('');
        expect(t[key].match(/\{\w+\}/g)?.sort(), `${locale}.${key}`).toEqual(
          en[key].match(/\{\w+\}/g)?.sort(),
        );
      }
    }
  });

  it('fills placeholders', () => {
    expect(format(strings('en').progress, { done: 2, total: 5 })).toBe('2 of 5 done');
    expect(format(strings('de').itemDone, { title: 'Profil', done: 3, total: 5 })).toBe(
      'Profil erledigt. 3 von 5 abgeschlossen.',
    );
    expect(format('{missing} stays', {})).toBe('{missing} stays');
  });
});

describe('direction', () => {
  it.each(['ar', 'ar-SA', 'he', 'he-IL', 'fa', 'fa-IR', 'ur', 'ur-PK'])('%s is right to left', (locale) => {
    expect(direction(locale, '')).toBe('rtl');
    expect(direction(locale, 'ltr')).toBe('rtl');
  });

  it.each(['en', 'fr-CA', 'de', 'ja', 'arn'])('%s is left to right, whatever the document says', (locale) => {
    expect(direction(locale, 'rtl')).toBe('ltr');
  });

  it('follows the document’s dir when the locale is unknown', () => {
    expect(direction('', 'rtl')).toBe('rtl');
    expect(direction('', 'RTL')).toBe('rtl');
    expect(direction('', '')).toBe('ltr');
  });
});
