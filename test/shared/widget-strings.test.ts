import { describe, expect, it } from 'vitest';
import { direction, format, widgetStrings, widgetStringTables } from '../../shared/widget-strings.ts';

describe('the widget’s own strings', () => {
  it.each([
    ['en', 'Close', 'Dismiss checklist', 'Submit', 'Next'],
    ['en-US', 'Close', 'Dismiss checklist', 'Submit', 'Next'],
    ['fr', 'Fermer', 'Masquer la liste', 'Envoyer', 'Suivant'],
    ['fr-CA', 'Fermer', 'Masquer la liste', 'Envoyer', 'Suivant'],
    ['de-AT', 'Schließen', 'Checkliste ausblenden', 'Senden', 'Weiter'],
    ['es_MX', 'Cerrar', 'Descartar la lista', 'Enviar', 'Siguiente'],
    ['AR-eg', 'إغلاق', 'إخفاء قائمة المهام', 'إرسال', 'التالي'],
    ['ja', 'Close', 'Dismiss checklist', 'Submit', 'Next'],
    ['', 'Close', 'Dismiss checklist', 'Submit', 'Next'],
    [null, 'Close', 'Dismiss checklist', 'Submit', 'Next'],
  ])('%s → %s', (locale, close, dismiss, submit, next) => {
    const t = widgetStrings(locale);
    expect([t.close, t.dismiss, t.submit, t.next]).toEqual([close, dismiss, submit, next]);
  });

  it('falls back table by table: Hebrew spotlights, English checklist and survey', () => {
    const t = widgetStrings('he-IL');
    expect([t.tipClose, t.next, t.close, t.submit]).toEqual(['סגירה', 'הבא', 'Close', 'Submit']);
  });

  it('has every string in every language of a table, with the same placeholders', () => {
    for (const [name, table] of Object.entries(widgetStringTables)) {
      const en: Record<string, string> = table.en;
      for (const [locale, t] of Object.entries(table as Record<string, Record<string, string>>)) {
        expect(Object.keys(t).sort(), `${name}.${locale}`).toEqual(Object.keys(en).sort());
        for (const key of Object.keys(en)) {
          expect(t[key], `${name}.${locale}.${key}`).not.toBe('');
          expect(t[key]?.match(/\{\w+\}/g)?.sort(), `${name}.${locale}.${key}`).toEqual(
            en[key]?.match(/\{\w+\}/g)?.sort(),
          );
        }
      }
    }
  });

  it('names every key once across the tables', () => {
    const keys = Object.values(widgetStringTables).flatMap((table) => Object.keys(table.en));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('fills placeholders', () => {
    expect(format(widgetStrings('en').progress, { done: 2, total: 5 })).toBe('2 of 5 done');
    expect(format(widgetStrings('de').itemDone, { title: 'Profil', done: 3, total: 5 })).toBe(
      'Profil erledigt. 3 von 5 abgeschlossen.',
    );
    expect(format('{missing} stays', {})).toBe('{missing} stays');
    expect(format(undefined, {})).toBe('');
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
