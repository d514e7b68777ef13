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

/** How many rows a CSV export reads from the database at a time. */
export const csvPageSize = 1000;

/**
 * A CSV download streamed a page at a time (`page(limit, offset)`), header first, so a large book
 * never sits in memory whole: the next page is read only when the client has taken the last.
 *
 * @example
 * c.body(pagedCsv(['account_id', 'score'], (limit, offset) => read(limit, offset), (r) => [r.id, r.score]), 200)
 */
export function pagedCsv<R>(
  header: readonly string[],
  page: (limit: number, offset: number) => Promise<R[]>,
  record: (row: R) => ReadonlyArray<string | number | null>,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(csvRecord(header)));
    },
    async pull(controller) {
      const rows = await page(csvPageSize, offset);
      offset += rows.length;
      if (rows.length > 0) controller.enqueue(encoder.encode(rows.map((r) => csvRecord(record(r))).join('')));
      if (rows.length < csvPageSize) controller.close();
    },
  });
}
