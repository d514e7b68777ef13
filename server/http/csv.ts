/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break, quotes doubled.
 * Text that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return)
 * is prefixed with `'` first (OWASP's advice against CSV injection).
 *
 * @example
 * csvField('=HYPERLINK("x")') // "'=HYPERLINK(""x"")"  (quoted, since it holds quotes)
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** A CSV record, CRLF-terminated as RFC 4180 has it. */
export const csvRecord = (fields: ReadonlyArray<string | number | null>): string =>
  `${fields.map(csvField).join(',')}\r\n`;
