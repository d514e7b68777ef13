import type { InStatement } from '@libsql/client';
import { paymentStatuses } from '../../shared/schemas/health-model.ts';
import { idCharacters } from '../../shared/schemas/message.ts';
import type { Database } from '../db/client.ts';
import { CsvError, parseCsv } from './csv.ts';

/**
 * Account traits from a CRM or billing export: a CSV with an `id` column (or `accountId`, `groupId`)
 * and one column per trait. Known traits are typed (README, "Account traits"); any other column is
 * stored as text. Empty cells leave a trait as it is. Rows with errors are reported by line and
 * column and skipped; the valid rows are applied in one transaction; importing the same file again
 * changes nothing.
 */

export interface ImportError {
  line: number;
  column: string;
  detail: string;
}

type Cell = { value: string | number } | { error: string };

const number =
  (min: number, integer: boolean) =>
  (text: string): Cell => {
    const n = Number(text.replace(/[,_\s]/g, ''));
    if (!Number.isFinite(n) || text.trim() === '') return { error: 'must be a number' };
    if (integer && !Number.isInteger(n)) return { error: 'must be a whole number' };
    if (n < min) return { error: `must be at least ${min}` };
    return { value: n };
  };

const known: Record<string, (text: string) => Cell> = {
  arr: number(0, false),
  seats: number(0, true),
  openTickets: number(0, true),
  renewalDate: (text) =>
    /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(text))
      ? { value: text }
      : { error: 'must be a date, YYYY-MM-DD' },
  paymentStatus: (text) =>
    (paymentStatuses as readonly string[]).includes(text)
      ? { value: text }
      : { error: `must be one of ${paymentStatuses.join(', ')}` },
};
const idColumns = ['id', 'accountId', 'groupId'];
const maxText = 500;

export interface ParsedImport {
  rows: Array<{ id: string; traits: Record<string, string | number> }>;
  errors: ImportError[];
  /** Set when the file itself cannot be read (no id column, broken quoting): nothing is applied. */
  fatal: string | null;
}

export function parseAccountCsv(text: string): ParsedImport {
  let records: ReturnType<typeof parseCsv>;
  try {
    records = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvError)
      return { rows: [], errors: [], fatal: `line ${error.line}: ${error.message}` };
    throw error;
  }
  const [header, ...body] = records;
  if (!header)
    return { rows: [], errors: [], fatal: 'the file is empty: send a header row with an id column' };
  const names = header.fields.map((f) => f.trim());
  const idAt = names.findIndex((n) => idColumns.includes(n));
  if (idAt < 0)
    return { rows: [], errors: [], fatal: `the header row needs an id column (${idColumns.join(', ')})` };
  const duplicate = names.find((n, i) => n !== '' && names.indexOf(n) !== i);
  if (duplicate) return { rows: [], errors: [], fatal: `the header row names "${duplicate}" twice` };

  const rows: ParsedImport['rows'] = [];
  const errors: ImportError[] = [];
  const seen = new Map<string, number>();
  for (const record of body) {
    const before = errors.length;
    if (record.fields.length !== names.length) {
      errors.push({
        line: record.line,
        column: '',
        detail: `has ${record.fields.length} fields, the header ${names.length}`,
      });
      continue;
    }
    const id = record.fields[idAt]!.trim();
    if (id === '' || id.length > 200 || !idCharacters.pattern.test(id)) {
      const detail =
        id === '' || id.length > 200 ? 'must be an account id of 1 to 200 characters' : idCharacters.message;
      errors.push({ line: record.line, column: names[idAt]!, detail });
      continue;
    }
    if (seen.has(id)) {
      errors.push({
        line: record.line,
        column: names[idAt]!,
        detail: `account "${id}" is already on line ${seen.get(id)}`,
      });
      continue;
    }
    const traits: Record<string, string | number> = {};
    record.fields.forEach((raw, i) => {
      const column = names[i]!;
      const text = raw.trim();
      if (i === idAt || column === '' || text === '') return;
      const cell =
        known[column]?.(text) ??
        (text.length > maxText ? { error: `must be at most ${maxText} characters` } : { value: text });
      if ('error' in cell) errors.push({ line: record.line, column, detail: cell.error });
      else traits[column] = cell.value;
    });
    if (errors.length > before) continue;
    seen.set(id, record.line);
    rows.push({ id, traits });
  }
  return { rows, errors, fatal: null };
}

/**
 * Applies an import's valid rows in one write (all or none): how many accounts changed.
 *
 * @example
 * await importAccountTraits(db, 'acme', parseAccountCsv(text).rows, Date.now()) // 2
 */
export async function importAccountTraits(
  db: Database,
  workspaceId: string,
  rows: ParsedImport['rows'],
  now: number,
): Promise<number> {
  if (rows.length === 0) return 0;
  const results = await db.writer.batch(accountTraitWrites(workspaceId, rows, now));
  return results.reduce((n, r) => n + r.rowsAffected, 0);
}

/**
 * Merges each row's traits into its account (created when new, first seen now). A row whose traits
 * are already the account's changes nothing, so a second import of the same file is a no-op.
 */
export function accountTraitWrites(
  workspaceId: string,
  rows: ParsedImport['rows'],
  now: number,
): InStatement[] {
  return rows.map((row) => ({
    sql: `INSERT INTO accounts (workspace_id, id, traits, traits_at, first_seen, last_seen)
      VALUES (?, ?, json(?), ?, ?, ?)
      ON CONFLICT (workspace_id, id) DO UPDATE SET traits = json_patch(accounts.traits, excluded.traits),
        traits_at = max(accounts.traits_at, excluded.traits_at)
      WHERE json_patch(accounts.traits, excluded.traits) IS NOT accounts.traits`,
    args: [workspaceId, row.id, JSON.stringify(row.traits), now, now, now],
  }));
}
