/**
 * The best translation for a requested locale: exact tag, then its language, then another tag of
 * that language; none when the content's own locale is the one asked for.
 */
export function pickTranslation<T>(
  translations: Record<string, T>,
  own: string,
  requested: string | null,
): { locale: string; translation: T | undefined } {
  const tags = Object.keys(translations);
  const wanted = requested?.toLowerCase() ?? '';
  const language = wanted.split('-')[0] ?? '';
  const tag =
    tags.find((t) => t.toLowerCase() === wanted) ??
    tags.find((t) => t.toLowerCase() === language) ??
    tags.find((t) => t.toLowerCase().split('-')[0] === language);
  const translation = tag !== undefined && wanted !== own.toLowerCase() ? translations[tag] : undefined;
  return { locale: translation && tag ? tag : own, translation };
}
